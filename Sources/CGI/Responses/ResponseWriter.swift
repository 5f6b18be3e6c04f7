/// A response sent in pieces: the head once, then body chunks as the script produces them.
///
/// ```swift
/// let writer = ResponseWriter(Response(contentType: "text/plain; charset=utf-8"))
/// for step in steps {
///     try writer.write("\(step.run())\n")
///     try writer.flush()          // the browser sees this line now
/// }
/// try writer.flush()
/// ```
///
/// Chunks are buffered until ``flush()`` (or until 64 KiB have gathered), which writes them
/// to the descriptor with `write(2)` at once, so a server reading the pipe gets them while
/// the script runs. The first flush sends the head; after it, changing the status or a
/// header throws ``CGIError/headAlreadySent``. Call ``flush()`` once more at the end: a
/// writer discarded with buffered bytes does not send them.
public final class ResponseWriter {
    /// The descriptor written to, or -1 when the response goes out as a FastCGI request's
    /// STDOUT records.
    public let fileDescriptor: Int32
    /// The status and header fields (the body is written through the writer).
    public private(set) var response: Response
    /// Whether the head was sent, after which it can no longer change.
    public private(set) var isHeadSent = false
    private var buffer: [UInt8] = []
    private let output: ResponseOutput
    private static let flushThreshold = 64 << 10

    /// Creates a writer that will send `response`'s head, then its body (if any) as the first
    /// chunk, then what is written, to `fileDescriptor`: by default (nil) standard output, or
    /// under `CGI.run` the response's own descriptor (standard output leads to the error log).
    public convenience init(_ response: Response = Response(), fileDescriptor: Int32? = nil) {
        self.init(response, output: .fileDescriptor(fileDescriptor ?? ResponseDescriptor.current))
    }

    /// Creates a writer that sends `response` to `output`.
    init(_ response: Response, output: ResponseOutput) {
        if case .fileDescriptor(let descriptor) = output { fileDescriptor = descriptor } else { fileDescriptor = -1 }
        self.output = output
        self.buffer = response.body
        self.response = response
        self.response.body = []
    }

    /// Sets the status code and, optionally, the reason phrase.
    /// - Throws: ``CGIError/headAlreadySent`` after the head was sent.
    public func setStatus(_ status: Int, reason: String? = nil) throws {
        try changeHead {
            $0.status = status
            $0.reason = reason
        }
    }

    /// Sets (or, with nil, removes) the header field `name`.
    /// - Throws: ``CGIError/headAlreadySent`` after the head was sent.
    public func setHeader(_ name: String, _ value: String?) throws {
        try changeHead { $0.headers[name] = value }
    }

    /// Adds a header field, keeping others of the same name.
    /// - Throws: ``CGIError/headAlreadySent`` after the head was sent.
    public func addHeader(_ name: String, _ value: String) throws {
        try changeHead { $0.headers.add(name, value) }
    }

    /// Adds a `Set-Cookie` field.
    /// - Throws: ``CGIError/headAlreadySent`` after the head was sent, or
    ///   ``CGIError/invalidCookie(_:)``.
    public func setCookie(_ cookie: SetCookie) throws {
        try changeHead { try $0.setCookie(cookie) }
    }

    /// Queues text (as UTF-8) for the body.
    public func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    /// Queues bytes for the body; flushes once 64 KiB are waiting.
    public func write(_ bytes: [UInt8]) throws {
        buffer += bytes
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Sends the head if it was not sent yet, then every queued byte.
    /// - Throws: ``CGIError/invalidStatus(_:)`` or ``CGIError/invalidHeader(name:)`` (nothing
    ///   written), or ``CGIError/io(operation:errno:)``.
    public func flush() throws {
        let pending = try takePending()
        if !pending.isEmpty { try output.write(pending) }
    }

    /// Sends what is left as the response's last bytes (``ResponseOutput/writeLast(_:)``): under
    /// FastCGI the request ends in the same write.
    func finish() throws {
        try output.writeLast(try takePending())
    }

    /// The head (the first time) and every queued byte, taken from the buffer.
    private func takePending() throws -> [UInt8] {
        if !isHeadSent {
            buffer = try response.head() + buffer
            isHeadSent = true
        }
        defer { buffer = [] }
        return buffer
    }

    private func changeHead(_ change: (inout Response) throws -> Void) throws {
        guard !isHeadSent else { throw CGIError.headAlreadySent }
        try change(&response)
    }
}
