import NIOCore

/// Answers with a response the server composes at once: a static file, a redirect or an error
/// page. The request body, if any, is read and dropped.
final class ReplyResponder: Responder {
    private let reply: ServerResponse
    private let response: ClientResponse
    let kind: ResponderKind

    /// Sends `reply` once the responder starts; `kind` is what the request asked for (a static
    /// file, or a script that could not be found).
    init(response: ClientResponse, reply: ServerResponse, kind: ResponderKind = .static) {
        self.response = response
        self.reply = reply
        self.kind = kind
    }

    func start() {
        // A client waiting for 100 Continue never sends the body this answer did not read.
        if response.info.head.headers.first(name: "Expect")?.lowercased() == "100-continue" {
            response.closeAfterwards()
        }
        response.send(reply)
    }

    func receivedBody(_ buffer: ByteBuffer) {}
    func receivedEnd() {}
    func clientBecameWritable() {}
    func clientGone() {}
}
