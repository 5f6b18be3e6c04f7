import Foundation
import TestSupport
import Testing

/// Chunked request bodies, collected before the script starts: where they go and how much all
/// of them together may hold.
@Suite("Chunked body spool", .serialized)
struct RequestBodySpoolTests {
    let server: TestServer
    let spoolFolder: URL

    init() throws {
        let site = try TestSite()
        spoolFolder = site.root.appending(path: "spool")
        try FileManager.default.createDirectory(at: spoolFolder, withIntermediateDirectories: true)
        server = try TestServer(
            site: site, options: ["--max-body", "\(4 << 20)", "--max-spool", "\(3 << 20)", "--request-timeout", "30"],
            environment: ["TMPDIR": spoolFolder.path])
    }

    /// A chunked POST to the probe (echoing its body) whose body is still being sent.
    func startUpload() throws -> RawConnection {
        let connection = try RawConnection(port: server.port)
        connection.send("POST /cgi-bin/probe.cgi?echo=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        return connection
    }

    func sendChunk(_ count: Int, on connection: RawConnection) {
        connection.send(String(count, radix: 16) + "\r\n")
        connection.send(Data(repeating: UInt8(ascii: "a"), count: count))
        connection.send("\r\n")
    }

    /// The sizes of the server's open spool files in the spool folder.
    func spoolFileSizes() -> [Int] {
        let folder = "/proc/\(server.pid)/fd"
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return descriptors.compactMap { descriptor in
            let path = "\(folder)/\(descriptor)"
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path),
                target.hasPrefix(spoolFolder.path + "/cgi-server-body-")
            else { return nil }
            var info = stat()
            return stat(path, &info) == 0 ? Int(info.st_size) : nil
        }
    }

    @Test func bodiesSpoolToTMPDIRAndAllTogetherStayWithinTheBudget() throws {
        let first = try startUpload()
        sendChunk(2 << 20, on: first)
        #expect(eventually(within: 10) { spoolFileSizes() == [2 << 20] }, "spooled in $TMPDIR")

        // 2 MiB held: another 1 MiB fills the 3 MiB budget, one byte more goes beyond it. (That
        // byte comes with the body's end, so the server has read everything when it answers.)
        let second = try startUpload()
        sendChunk(1 << 20, on: second)
        second.send("1\r\nb\r\n0\r\n\r\n")
        #expect(second.readResponses(1).first?.status == 413)

        first.send("0\r\n\r\n")
        let echoed = try #require(first.readResponses(1).first)
        #expect(echoed.status == 200)
        #expect(echoed.text.hasPrefix("len=\(2 << 20)\n"))

        // Its body answered and freed, the budget has room again.
        #expect(eventually(within: 5) { spoolFileSizes().isEmpty })
        let third = try startUpload()
        sendChunk(3 << 19, on: third)
        third.send("0\r\n\r\n")
        #expect(third.readResponses(1).first?.text.hasPrefix("len=\(3 << 19)\n") == true)
    }
}
