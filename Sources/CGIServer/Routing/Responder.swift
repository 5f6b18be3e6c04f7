import NIOCore

/// Answers one request: static files and CGI scripts are the two kinds. It learns of the
/// request's body and of the client as they happen, and writes its answer through the
/// request's ``ClientResponse``; it knows nothing of connections, framing or keep-alive.
///
/// The connection calls these on its event loop, `start` first and `clientGone` at most once.
protocol Responder: AnyObject {
    /// What kind of responder this is, for the metrics.
    var kind: ResponderKind { get }
    /// Begins answering: the head has arrived, the body may follow.
    func start()
    /// A piece of the request body arrived.
    func receivedBody(_ buffer: ByteBuffer)
    /// The request is complete.
    func receivedEnd()
    /// The client can take more after its socket buffer was full.
    func clientBecameWritable()
    /// The client closed the connection, or the request timed out: nothing more can be sent.
    func clientGone()
}
