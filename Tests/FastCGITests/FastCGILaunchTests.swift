import Foundation
import Glibc
import Testing

/// How FastCGIFixture tells a FastCGI launch from a CGI one.
@Suite(.timeLimit(.minutes(1))) struct FastCGILaunchTests {
    @Test func withAPipeOnStandardInputItIsACGIScript() throws {
        let script = Process()
        script.executableURL = productsDirectory.appendingPathComponent("FastCGIFixture")
        script.environment = ["REQUEST_METHOD": "GET", "QUERY_STRING": "name=cgi", "GATEWAY_INTERFACE": "CGI/1.1"]
        let input = Pipe()
        let output = Pipe()
        script.standardInput = input
        script.standardOutput = output
        try script.run()
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        script.waitUntilExit()
        #expect(script.terminationStatus == 0)
        #expect(text.hasPrefix("Status: 200 OK\r\n"))
        #expect(text.hasSuffix("request 1\nname=cgi\n"))
    }

    /// systemd's socket activation: the socket on descriptor 3, LISTEN_FDS=1 and LISTEN_PID
    /// naming the process (set by a small Python launcher that then executes the fixture, as
    /// systemd does).
    @Test func withListenFdsItServesTheSocketOnDescriptor3() throws {
        let worker = try FastCGIWorker(
            launcher: [
                "/usr/bin/python3", "-c",
                "import os, sys; os.dup2(0, 3); os.set_inheritable(3, True); "
                    + "null = os.open('/dev/null', os.O_RDONLY); os.dup2(null, 0); "
                    + "os.environ.update(LISTEN_FDS='1', LISTEN_PID=str(os.getpid())); "
                    + "os.execv(sys.argv[1], [sys.argv[1]])",
            ])
        defer { worker.stop() }
        let reply = try worker.connect().request(FastCGIClient.variables(query: "name=systemd"))
        #expect(reply.body == "process \(worker.pid) request 1\nname=systemd\n")
    }
}
