import CGICore
import NIOCore
import NIOHTTP1

/// Turns a connection's response parts into bytes: what NIOHTTP1's `HTTPResponseEncoder` and
/// `NIOHTTPResponseHeadersValidator` do for this server, in one handler and with fewer writes.
///
/// - Framing follows NIO's encoder: 1xx, 204 and 304 have no body (their `Content-Length` and
///   `Transfer-Encoding` are dropped); otherwise a `Content-Length` frames the body, or on HTTP/1.1
///   `transfer-encoding: chunked` is added and the body chunked; an HTTP/1.0 body without a length
///   ends with the connection.
/// - A response to HEAD (``nextResponseAnswersHEAD``) keeps the headers of the GET it stands for
///   and sends no body.
/// - Header names must be tokens and values free of control characters other than tab (RFC 9110
///   §5.1, §5.5), as must a custom reason phrase (RFC 9112 §4): a head that breaks these rules is
///   never sent, and the connection closes.
/// - A head written without a promise waits for what follows, so that head, a small body and the
///   end of a response leave as one buffer (one `write` instead of a `writev` of three).
final class ResponseEncoder: ChannelOutboundHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = IOData

    /// Why a response part was not sent.
    enum Refusal: Error {
        /// The head has a header or reason phrase that cannot be sent safely.
        case invalidHead
        /// A response to HEAD has no body.
        case bodyAfterHEAD
    }

    /// Bodies up to this size are copied behind a waiting head rather than written separately.
    static let mergeLimit = 16 * 1024

    /// Set by the connection before it writes the head of a response to a HEAD request.
    var nextResponseAnswersHEAD = false
    /// The head (and what joined it) not yet passed on.
    private var waiting: ByteBuffer?
    private var isChunked = false
    private var answersHEAD = false
    /// After a refused head nothing more is sent: the connection is closing.
    private var refusing = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !refusing else {
            promise?.fail(Refusal.invalidHead)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(let head):
            writeHead(head, context: context, promise: promise)
        case .body(let body):
            writeBody(body, context: context, promise: promise)
        case .end(let trailers):
            writeEnd(trailers, context: context, promise: promise)
        }
    }

    func flush(context: ChannelHandlerContext) {
        passWaiting(context: context)
        context.flush()
    }

    // MARK: Parts

    private func writeHead(_ head: HTTPResponseHead, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        passWaiting(context: context)
        let isInformational = (100..<200).contains(head.status.code) && head.status.code != 101
        guard let (bytes, framing) = Self.encode(head, isInformational: isInformational, allocator: context.channel.allocator)
        else {
            refusing = true
            promise?.fail(Refusal.invalidHead)
            context.close(promise: nil)
            return
        }
        guard !isInformational else { return pass(bytes, context: context, promise: promise) }
        answersHEAD = nextResponseAnswersHEAD
        nextResponseAnswersHEAD = false
        isChunked = framing == .chunked && !answersHEAD
        if promise == nil { waiting = bytes } else { pass(bytes, context: context, promise: promise) }
    }

    private func writeBody(_ body: IOData, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        guard !answersHEAD else {
            promise?.fail(Refusal.bodyAfterHEAD)
            return
        }
        if case .byteBuffer(let bytes) = body, var joined = waiting, bytes.readableBytes <= Self.mergeLimit {
            waiting = nil
            appendBody(bytes, to: &joined)
            if promise == nil { waiting = joined } else { pass(joined, context: context, promise: promise) }
            return
        }
        passWaiting(context: context)
        guard isChunked, body.readableBytes > 0 else {
            return context.write(wrapOutboundOut(body), promise: promise)
        }
        var size = context.channel.allocator.buffer(capacity: 18)
        size.writeString(String(body.readableBytes, radix: 16))
        size.writeStaticString("\r\n")
        pass(size, context: context, promise: nil)
        context.write(wrapOutboundOut(body), promise: nil)
        pass(ByteBuffer(staticString: "\r\n"), context: context, promise: promise)
    }

    private func writeEnd(_ trailers: HTTPHeaders?, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        var last = waiting
        waiting = nil
        if isChunked {
            var terminator = last ?? context.channel.allocator.buffer(capacity: 5)
            terminator.writeStaticString("0\r\n")
            if let trailers {
                guard Self.write(trailers: trailers, to: &terminator) else {
                    refusing = true
                    promise?.fail(Refusal.invalidHead)
                    context.close(promise: nil)
                    return
                }
            }
            terminator.writeStaticString("\r\n")
            last = terminator
        }
        isChunked = false
        answersHEAD = false
        if let last {
            pass(last, context: context, promise: promise)
        } else if let promise {
            // Nothing to send, but the promise completes in order with the writes before it.
            pass(context.channel.allocator.buffer(capacity: 0), context: context, promise: promise)
        }
    }

    // MARK: Bytes

    private func appendBody(_ bytes: ByteBuffer, to buffer: inout ByteBuffer) {
        guard isChunked else {
            buffer.writeImmutableBuffer(bytes)
            return
        }
        guard bytes.readableBytes > 0 else { return }
        buffer.writeString(String(bytes.readableBytes, radix: 16))
        buffer.writeStaticString("\r\n")
        buffer.writeImmutableBuffer(bytes)
        buffer.writeStaticString("\r\n")
    }

    private func passWaiting(context: ChannelHandlerContext) {
        guard let bytes = waiting else { return }
        waiting = nil
        pass(bytes, context: context, promise: nil)
    }

    private func pass(_ bytes: ByteBuffer, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        context.write(wrapOutboundOut(.byteBuffer(bytes)), promise: promise)
    }

    /// How a response's body is delimited on the wire.
    private enum Framing {
        /// No body (1xx, 204, 304), or an HTTP/1.0 body that ends with the connection.
        case none
        /// `Content-Length`.
        case length
        /// `Transfer-Encoding: chunked`.
        case chunked
    }

    /// The status line and fields of `head` with its framing; `nil` when something in it cannot
    /// be sent safely.
    private static func encode(
        _ head: HTTPResponseHead, isInformational: Bool, allocator: ByteBufferAllocator
    ) -> (
        bytes: ByteBuffer, framing: Framing
    )? {
        let status = head.status
        let reason = status.reasonPhrase
        var size = "HTTP/1.1 200 \r\n\r\n".utf8.count + reason.utf8.count
        var hasLength = false
        for (name, value) in head.headers {
            size += name.utf8.count + value.utf8.count + 4
            hasLength = hasLength || isFieldName(name, "content-length")
        }
        let framing: Framing =
            isInformational || !status.mayHaveResponseBody
            ? .none
            : hasLength
                ? .length
                : head.version.major == 1 && head.version.minor >= 1 ? .chunked : .none
        // Dropped: the framing fields of a response without a body, and a transfer coding beside a length or chunking.
        let keepsLength = framing == .length
        let keepsTransferEncoding = status.mayHaveResponseBody && framing == .none
        if framing == .chunked { size += "transfer-encoding: chunked\r\n".utf8.count }
        var buffer = allocator.buffer(capacity: size)
        var isValid = true
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { memory -> Int in
            var out = ByteWriter(memory)
            out.append(head.version.major == 1 && head.version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
            out.append(Int(status.code), digits: 3)
            out.append(" ")
            guard out.append(reason, allowing: isFieldValueByte) else {
                isValid = false
                return 0
            }
            out.append("\r\n")
            for (name, value) in head.headers {
                if isFieldName(name, "content-length")
                    ? !keepsLength
                    : isFieldName(name, "transfer-encoding") ? !keepsTransferEncoding : false
                {
                    continue
                }
                guard !name.isEmpty, out.append(name, allowing: HTTPSyntax.isTokenByte) else {
                    isValid = false
                    return 0
                }
                out.append(": ")
                guard out.append(value, allowing: isFieldValueByte) else {
                    isValid = false
                    return 0
                }
                out.append("\r\n")
            }
            if framing == .chunked { out.append("transfer-encoding: chunked\r\n") }
            out.append("\r\n")
            return out.count
        }
        return isValid ? (buffer, framing) : nil
    }

    /// Appends trailer fields (`name: value` lines) after the last chunk; `false` when a name is
    /// not a token or a value holds a control character.
    private static func write(trailers: HTTPHeaders, to buffer: inout ByteBuffer) -> Bool {
        for (name, value) in trailers {
            guard !name.isEmpty, name.utf8.allSatisfy(HTTPSyntax.isTokenByte), value.utf8.allSatisfy(isFieldValueByte) else {
                return false
            }
            buffer.writeString("\(name): \(value)\r\n")
        }
        return true
    }

    /// Whether `name` is `lowerCaseName`, ignoring ASCII case.
    private static func isFieldName(_ name: String, _ lowerCaseName: StaticString) -> Bool {
        guard name.utf8.count == lowerCaseName.utf8CodeUnitCount else { return false }
        return lowerCaseName.withUTF8Buffer { expected in
            var index = 0
            for byte in name.utf8 {
                guard byte | 0x20 == expected[index] || byte == expected[index] else { return false }
                index += 1
            }
            return true
        }
    }

    /// Tab, space, visible characters and obs-text: no other control character (CR, LF and NUL
    /// above all). The rule for field values and reason phrases alike.
    private static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\t") || (byte >= 0x20 && byte != 0x7F)
    }
}

extension ResponseEncoder {
    /// Writes bytes to the client below this encoder, unframed: a 408 on an idle connection, or
    /// a non-parsed-header script's output.
    func writeRaw(_ buffer: ByteBuffer, in pipeline: ChannelPipeline) {
        guard let context = try? pipeline.syncOperations.context(handler: self) else { return }
        context.writeAndFlush(NIOAny(buffer), promise: nil)
    }
}
