import NIOHTTP1
import Testing

@testable import CGIServer

/// The framing rules on their own, without the HTTP decoder in front of them. NIO's parser
/// already refuses a request with both Content-Length and Transfer-Encoding, so no request over
/// a socket reaches this check; it must hold by itself should the decoder ever change.
@Suite("Request rejection")
struct RequestRejectionTests {
    let configuration = ServerConfiguration(documentRoot: "/htdocs", scriptRoot: "/cgi-bin")

    /// A POST head with a Host header and `headers`.
    func head(_ headers: [(String, String)]) -> HTTPRequestHead {
        HTTPRequestHead(
            version: .http1_1, method: .POST, uri: "/cgi-bin/probe.cgi", headers: HTTPHeaders([("Host", "x")] + headers))
    }

    @Test(arguments: [
        [("Content-Length", "5"), ("Transfer-Encoding", "chunked")],
        [("Transfer-Encoding", "chunked"), ("Content-Length", "5")],
        [("Content-Length", "0"), ("Transfer-Encoding", "chunked")],
        // The framing doubt comes first: an unknown coding beside a length is still 400, not 501.
        [("Content-Length", "5"), ("Transfer-Encoding", "gzip")],
    ])
    func contentLengthBesideTransferEncodingIsAmbiguousFramingAnd400(headers: [(String, String)]) {
        #expect(throws: RequestRejection.ambiguousFraming) {
            try RequestRejection.check(head(headers), configuration: configuration)
        }
        #expect(RequestRejection.ambiguousFraming.status == .badRequest)
    }

    @Test(arguments: [[("Content-Length", "5")], [("Transfer-Encoding", "chunked")], []])
    func oneFramingHeaderOrNoneIsAccepted(headers: [(String, String)]) throws {
        try RequestRejection.check(head(headers), configuration: configuration)
    }
}
