import NIOCore

/// Where a ``ScriptInput`` writes the request body: a CGI script's stdin pipe (``StdinPipe``),
/// or the STDIN stream of a FastCGI request (``FastCGIStdin``). Used on the request's event loop.
protocol ScriptInputSink: AnyObject {
    /// Whether it takes more now; when it becomes writable again, its owner calls ``ScriptInput/feed()``.
    var isWritable: Bool { get }
    /// Writes a piece of the body; the future completes once it is handed to the system.
    func write(_ buffer: ByteBuffer) -> EventLoopFuture<Void>
    /// Sends what was written.
    func flush()
    /// Everything was written: the script reads end-of-file.
    func end()
    /// Nothing more is written, the body being incomplete (the exchange is over).
    func close()
}
