import CGICore
import Glibc
import NIOCore

/// Watches a connection's raw bytes, before the HTTP decoder, for request lines that are too
/// long. When a request head is too large for the decoder, this tells which part overflowed:
/// the request line (414 URI Too Long, RFC 9110 §15.5.15) or the header fields (431, RFC 6585
/// §5). The decoder itself only reports that the head was too large.
///
/// A request line starts with a method token and a space (`GET /…`, RFC 9112 §3); a header
/// line has a colon before any space (`Name: value`, RFC 9112 §5). Body bytes are skipped
/// between ``requestHeadReceived(hasBody:)`` and ``requestEnded()``, so uploads are not scanned.
final class RequestLineWatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// A line as far as it has arrived: its length and first bytes.
    private struct Line {
        /// How many bytes of a line are kept: enough for any method and the space after it.
        static let prefixLimit = 32

        /// The first bytes; `nil` when unknown (the line began in a skipped body).
        var prefix: [UInt8]? = []
        var length = 0

        var isRequestLine: Bool {
            guard let prefix, let space = prefix.firstIndex(of: UInt8(ascii: " ")), space > 0 else { return false }
            return prefix[..<space].allSatisfy(HTTPSyntax.isTokenByte)
        }

        mutating func append(_ bytes: UnsafeRawBufferPointer) {
            length += bytes.count
            if !bytes.isEmpty, let kept = prefix, kept.count < Self.prefixLimit {
                prefix = kept + bytes.prefix(Self.prefixLimit - kept.count)
            }
        }
    }

    /// Request lines longer than this many bytes are too long: the server's longest request
    /// target, with room for the method and the version around it.
    let longestRequestLine: Int
    /// Whether a request body is arriving (told by the connection handler).
    private var isReadingBody = false
    private var openLine = Line()
    private var sawLongRequestLine = false

    /// A tracker that calls request lines with targets over `maxRequestTargetSize` bytes too long.
    init(maxRequestTargetSize: Int) {
        longestRequestLine = maxRequestTargetSize + 64
    }

    /// Whether the head being read has a request line that is too long, ended or still arriving.
    var headHasLongRequestLine: Bool {
        sawLongRequestLine || isLong(openLine)
    }

    /// A request head was decoded: its request line was not too long. `hasBody`: a body follows.
    func requestHeadReceived(hasBody: Bool) {
        sawLongRequestLine = false
        isReadingBody = hasBody
    }

    /// The request ended: what arrives next is the next request's head.
    func requestEnded() {
        isReadingBody = false
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if isReadingBody {
            openLine = Line(prefix: nil)
        } else {
            unwrapInboundIn(data).withUnsafeReadableBytes(scan)
        }
        context.fireChannelRead(data)
    }

    private func scan(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        while let found = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start) {
            let newline = base.distance(to: UnsafeRawPointer(found))
            // Only a line long enough to matter is looked at (most lines of a head are short).
            if openLine.length + (newline - start) > longestRequestLine {
                openLine.append(UnsafeRawBufferPointer(rebasing: bytes[start..<newline]))
                if isLong(openLine) { sawLongRequestLine = true }
            }
            openLine = Line()
            start = newline + 1
        }
        openLine.append(UnsafeRawBufferPointer(rebasing: bytes[start...]))
    }

    private func isLong(_ line: Line) -> Bool {
        line.length > longestRequestLine && line.isRequestLine
    }
}
