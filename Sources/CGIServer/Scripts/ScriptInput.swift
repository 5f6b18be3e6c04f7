import CGIGateway
import Glibc
import NIOCore
import NIOHTTP1

/// A request body on its way to a script's stdin (RFC 3875 §4.2): exactly `CONTENT_LENGTH`
/// bytes, then end-of-file, written with backpressure (the client is paused while the pipe is
/// full). A chunked body is collected first (memory, then a temporary file) so that
/// `CONTENT_LENGTH` can be set, and so is a small one (``ServerConfiguration/bodyBufferedBeforeScript``),
/// so that a slow client holds no script slot; a larger body must send that many bytes before
/// its script starts (``startWhenShown(_:_:)``). Without a body, stdin is `/dev/null`. It writes
/// to a ``ScriptInputSink``: a script's stdin pipe, or a FastCGI request's STDIN stream.
final class ScriptInput {
    private enum Body {
        /// No body, or all of it handed to the pipe.
        case none
        /// `Content-Length` bytes stream to stdin as they arrive.
        case streamed(remaining: Int)
        /// A chunked body collected before the script starts.
        case spooled(RequestBodySpool)
    }

    private var body: Body
    private let response: ClientResponse
    private var sink: (any ScriptInputSink)?
    private var pending: [ByteBuffer] = []
    private var lastWrite: EventLoopFuture<Void>?
    private var closed = false
    /// How many bytes of a streamed body must arrive before its script starts.
    private let shownBeforeScript: Int
    /// Starts the script once ``shownBeforeScript`` bytes have arrived (``startWhenShown(_:_:)``).
    private var startWhenShown: (() -> Void)?
    /// Bytes of a streamed body received so far.
    private var arrived = 0

    /// Input for a request with `contentLength` (nil when absent) that is chunked or not.
    init(contentLength: Int?, isChunked: Bool, configuration: ServerConfiguration, response: ClientResponse) {
        self.response = response
        shownBeforeScript = configuration.bodyBufferedBeforeScript
        if isChunked || (contentLength ?? 0) > 0 && contentLength! <= configuration.bodyBufferedBeforeScript {
            body = .spooled(RequestBodySpool(memoryLimit: configuration.bodyMemoryLimit, maximum: configuration.maxBodySize))
        } else if let contentLength, contentLength > 0 {
            body = .streamed(remaining: contentLength)
        } else {
            body = .none
        }
    }

    /// Whether the request has a body at all.
    var hasBody: Bool {
        if case .none = body { false } else { true }
    }

    /// Whether the script may start only once the whole body is in (a chunked body, whose length
    /// is known only then, or a small one).
    var waitsForWholeBody: Bool {
        if case .spooled = body { true } else { false }
    }

    /// The `CONTENT_LENGTH` the script gets for a collected body; nil for any other.
    var collectedLength: Int? {
        if case .spooled(let spool) = body { spool.size } else { nil }
    }

    /// Sends `100 Continue` when the request has a body and its `headers` say the client waits
    /// for it (RFC 9110 §10.1.1).
    func continueIfExpected(_ headers: HTTPHeaders) {
        guard hasBody, Self.expectsContinue(headers) else { return }
        response.writeContinue()
    }

    /// Calls `start` (which takes a script slot) when a body that streams to the script has
    /// shown that it arrives: once its first ``ServerConfiguration/bodyBufferedBeforeScript``
    /// bytes are in, so that a client trickling a large body is cut off by the body timeout
    /// without ever holding a slot. Reading then stops until the script is connected. A client
    /// that waits for `100 Continue` sends nothing before it, and is started at once (the
    /// continue goes out with the slot).
    func startWhenShown(_ headers: HTTPHeaders, _ start: @escaping () -> Void) {
        guard case .streamed = body, !Self.expectsContinue(headers) else {
            holdUntilConnected()
            return start()
        }
        startWhenShown = start
    }

    private static func expectsContinue(_ headers: HTTPHeaders) -> Bool {
        headers.first(name: "Expect")?.lowercased() == "100-continue"
    }

    /// A piece of the request body arrived.
    /// - Throws: ``ScriptFailure/requestBodyTooLarge`` or ``ScriptFailure/requestBodyNotStored(_:)``
    ///   when a chunked body cannot be collected.
    func received(_ buffer: ByteBuffer) throws(ScriptFailure) {
        switch body {
        case .none:
            break
        case .streamed(let remaining):
            body = .streamed(remaining: remaining - buffer.readableBytes)
            guard !closed else { return }
            arrived += buffer.readableBytes
            pending.append(buffer)
            feed()
            if let start = startWhenShown, arrived >= shownBeforeScript {
                startWhenShown = nil
                holdUntilConnected()
                start()
            }
        case .spooled(let spool):
            do {
                try spool.append(buffer)
            } catch {
                switch error {
                case .tooLarge: throw .requestBodyTooLarge
                case .storage(let code): throw .requestBodyNotStored(String(cString: strerror(code)))
                }
            }
        }
    }

    /// The request is complete: a collected body's bytes in memory wait for the pipe.
    func ended() {
        guard case .spooled(let spool) = body, let bytes = spool.bytesInMemory, bytes.readableBytes > 0 else { return }
        pending.append(bytes)
    }

    /// Stops reading a body that streams to the script until its stdin is connected, so that
    /// a request waiting for a script slot holds no more than what has arrived already.
    private func holdUntilConnected() {
        guard case .streamed = body else { return }
        response.setReading(false)
    }

    /// The script's stdin is ready: writing begins.
    func connect(_ sink: any ScriptInputSink) {
        self.sink = sink
        if closed { sink.close() } else { feed() }
    }

    /// Writes pending body pieces to stdin while the pipe accepts them, pausing the client otherwise;
    /// closes stdin after the last byte so that the script reads end-of-file.
    func feed() {
        guard let sink, !closed else { return }
        while !pending.isEmpty && sink.isWritable {
            lastWrite = sink.write(pending.removeFirst())
        }
        sink.flush()
        response.setReading(pending.isEmpty)
        guard pending.isEmpty else { return }
        switch body {
        case .streamed(let remaining) where remaining <= 0:
            closeWhenWritten()
        case .spooled(let spool):
            body = .none
            if spool.file != nil { copy(spool, from: 0) } else { closeWhenWritten() }
        default:
            break
        }
    }

    /// Nothing more is written, and the client may be read again: the exchange is over, or the
    /// script stopped reading its input (it exited or closed stdin) and the rest is dropped.
    func close() {
        closed = true
        pending.removeAll()
        sink?.close()
        response.setReading(true)
    }

    /// Ends stdin once everything written so far has reached the pipe.
    private func closeWhenWritten() {
        guard let sink, !closed else { return }
        closed = true
        guard let lastWrite else { return sink.end() }
        lastWrite.assumeIsolated().whenComplete { _ in sink.end() }
    }

    /// Copies a collected body from its temporary file to stdin, one chunk after the other.
    private func copy(_ spool: RequestBodySpool, from offset: Int) {
        guard let sink, let file = spool.file, !closed else { return }
        let count = min(spool.size - offset, 256 * 1024)
        var chunk = response.allocator.buffer(capacity: max(count, 1))
        let read = chunk.writeWithUnsafeMutableBytes(minimumWritableBytes: max(count, 1)) { bytes in
            max(0, pread(file, bytes.baseAddress, count, off_t(offset)))
        }
        guard read > 0 else { return closeWhenWritten() }
        let written = sink.write(chunk)
        sink.flush()
        written.assumeIsolated().whenComplete { [self] result in
            guard case .success = result else { return close() }
            copy(spool, from: offset + read)
        }
    }
}
