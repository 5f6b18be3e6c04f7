import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOPosix
import Testing

@testable import CGIServer

/// A connection's whole pipeline in process, on an `EmbeddedChannel`: bytes in, bytes out, no
/// sockets. The router, the connection handler and the reply responder are exercised as they
/// are in the server; scripts need real pipes and are tested black-box elsewhere.
@Suite("Connection in process")
final class InProcessConnectionTests {
    private let site: TestSite
    private let threadPool = NIOThreadPool(numberOfThreads: 1)
    private let channel = EmbeddedChannel()

    init() throws {
        site = try TestSite()
        threadPool.start()
        var configuration = ServerConfiguration(documentRoot: site.htdocs.path, scriptRoot: site.cgiBin.path)
        configuration.swiftScripts.compilerPath = "/nonexistent/swiftc"
        let server = try CGIServer(configuration: configuration, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
            .makeContext(fileIO: NonBlockingFileIO(threadPool: threadPool), compilePool: threadPool, group: channel.eventLoop)
        try ConnectionPipeline.addHandlers(to: channel.pipeline.syncOperations, server: server, connectionNumber: 1)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
    }

    deinit {
        _ = try? channel.finish()
        try? threadPool.syncShutdownGracefully()
        try? FileManager.default.removeItem(at: site.root)
    }

    /// Sends `request` as raw bytes and returns everything the connection wrote back.
    private func exchange(_ request: String) throws -> String {
        try channel.writeInbound(ByteBuffer(string: request))
        var output = ""
        while let data = try channel.readOutbound(as: IOData.self) {
            switch data {
            case .byteBuffer(let buffer):
                output += String(buffer: buffer)
            case .fileRegion(let region):
                let bytes = try region.fileHandle.withUnsafeFileDescriptor { descriptor in
                    var bytes = [UInt8](repeating: 0, count: region.readableBytes)
                    let count = pread(descriptor, &bytes, bytes.count, off_t(region.readerIndex))
                    return Array(bytes[..<max(count, 0)])
                }
                output += String(decoding: bytes, as: UTF8.self)
            }
        }
        return output
    }

    @Test func aStaticFileIsServedWithItsLength() throws {
        let response = try exchange("GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(response.contains("Content-Length: 6\r\n"))
        #expect(response.hasSuffix("\r\n\r\nhello\n"))
        #expect(channel.isActive, "kept alive")
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let response = try exchange(
            "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\nGET /missing HTTP/1.1\r\nHost: a\r\n\r\nHEAD /page.html HTTP/1.1\r\nHost: a\r\n\r\n"
        )
        let statuses = response.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("HTTP/1.1 ") }
        #expect(statuses == ["HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK"])
        #expect(response.hasSuffix("Server: \(ServerContext.software)\r\n\r\n"), "the HEAD response ends after its head")
    }

    @Test func aFolderWithoutItsSlashIsRedirected() throws {
        let response = try exchange("GET /dir?x=1 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(response.hasPrefix("HTTP/1.1 301 Moved Permanently\r\n"))
        #expect(response.contains("Location: /dir/?x=1\r\n"))
    }

    @Test func aScriptPathThatLeadsNowhereIs404FromTheRouter() throws {
        let response = try exchange("GET /cgi-bin/missing.cgi HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(response.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
    }

    @Test func aRejectedRequestIsAnsweredAndTheConnectionCloses() throws {
        let response = try exchange("GET /hello.txt HTTP/1.1\r\n\r\n")
        #expect(response.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "HTTP/1.1 requires Host")
        #expect(response.contains("Connection: close\r\n"))
        #expect(!channel.isActive)
    }
}
