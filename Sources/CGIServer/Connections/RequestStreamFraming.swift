import CGICore
import NIOCore

/// Follows the framing of a connection's request stream (RFC 9112 §6.3: each head, and the
/// Content-Length or chunked body after it) to pass on the few things NIO's strict parser
/// refuses though HTTP allows them, rewritten to forms it accepts:
///
/// - a request line's `HTTP/1.x` with x > 1 becomes `HTTP/1.1`, the highest minor version the
///   server supports (RFC 9110 §2.5);
/// - a chunk-size line loses its extensions, with the whitespace RFC 9112 §7.1.1 allows around
///   them (the server never uses extensions);
///
/// and to refuse a chunk-size line longer than ``longestChunkSizeLine``. It also records, for
/// each head it follows, the header values that hold bytes 0x80–0xFF (``RawHeaderValues``), which
/// the decoder's strings cannot hold when they are not UTF-8.
///
/// Whatever it does not understand for sure (a bare LF, a folded line, a coding other than
/// `chunked`, an `Upgrade`, `CONNECT`, repeated framing headers…) ends its work: from there the
/// bytes pass unchanged, and the decoder judges them as it would without this.
struct RequestStreamFraming {
    /// Chunk-size lines longer than this many bytes, CRLF included, are refused.
    static let longestChunkSizeLine = 4096

    /// What one call to ``normalize(_:)`` gives the decoder.
    struct Result {
        /// The bytes to pass on: as received, or rewritten.
        var output: ByteBuffer
        /// A chunk-size line was too long: the request is refused, and nothing more is passed on.
        var refused = false
        /// The heads that ended in these bytes and have values with bytes 0x80–0xFF, in order.
        var rawHeaderValues: [RawHeaderValues] = []
    }

    private struct Framing {
        var contentLength: Int?
        var chunked = false
        var uncertain = false
        var rawValues = RawHeaderValues()
    }

    private enum State {
        case requestLine
        case headerLines(Framing)
        case body(remaining: Int)
        case chunkSizeLine
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailerLines
        /// Framing is no longer followed: bytes pass unchanged.
        case passThrough
        /// A request was refused: nothing more is passed on.
        case refused
    }

    /// Head lines (request line, header fields, trailer fields) longer than this are not held
    /// back: the decoder gets them as they are and judges their size.
    let longestHeadLine: Int
    private var state = State.requestLine
    /// The start of a line still arriving, held back until its end is here.
    private var heldLine: ByteBuffer?
    /// Heads ended during the current call to ``normalize(_:)`` that have raw values.
    private var endedHeads: [RawHeaderValues] = []

    /// A follower that holds back head lines of up to `longestHeadLine` bytes.
    init(longestHeadLine: Int) {
        self.longestHeadLine = longestHeadLine
    }

    /// The bytes held back, to pass on as they are when the input ends.
    mutating func takeHeldBytes() -> ByteBuffer? {
        defer { heldLine = nil }
        return heldLine
    }

    /// The next bytes received; what to pass on to the decoder now.
    mutating func normalize(_ input: ByteBuffer) -> Result {
        var source = input
        if var held = heldLine.take() {
            held.writeImmutableBuffer(input)
            source = held
        }
        var output = Output(source: source)
        let refused = source.withUnsafeReadableBytes { bytes in
            process(bytes, into: &output)
        }
        if !refused, output.end < source.readableBytes {
            heldLine = source.getSlice(at: source.readerIndex + output.end, length: source.readableBytes - output.end)
        }
        defer { endedHeads = [] }
        return Result(output: output.result, refused: refused, rawHeaderValues: endedHeads)
    }

    /// Works through `bytes`; true when a request is refused.
    private mutating func process(_ bytes: UnsafeRawBufferPointer, into output: inout Output) -> Bool {
        var index = 0
        while index < bytes.count {
            switch state {
            case .passThrough:
                output.keep(upTo: bytes.count)
                return false
            case .refused:
                output.skip(upTo: bytes.count)
                return false
            case .body(let remaining):
                let taken = min(remaining, bytes.count - index)
                index += taken
                output.keep(upTo: index)
                state = remaining == taken ? .requestLine : .body(remaining: remaining - taken)
            case .chunkData(let remaining):
                let taken = min(remaining, bytes.count - index)
                index += taken
                output.keep(upTo: index)
                state = remaining == taken ? .chunkDataEnd : .chunkData(remaining: remaining - taken)
            case .requestLine, .headerLines, .chunkSizeLine, .chunkDataEnd, .trailerLines:
                let limit = isChunkSizeLine ? Self.longestChunkSizeLine : longestHeadLine
                let rest = UnsafeRawBufferPointer(rebasing: bytes[index...])
                guard let newline = rest.firstIndex(of: UInt8(ascii: "\n")) else {
                    if rest.count > limit { return passOrRefuseLongLine(&output, count: bytes.count) }
                    return false  // held back until its end arrives
                }
                guard newline + 1 <= limit else { return passOrRefuseLongLine(&output, count: bytes.count) }
                let line = UnsafeRawBufferPointer(rebasing: rest[..<(newline + 1)])
                take(line, at: index, into: &output)
                index += line.count
            }
        }
        return false
    }

    private var isChunkSizeLine: Bool {
        if case .chunkSizeLine = state { true } else { false }
    }

    private mutating func passOrRefuseLongLine(_ output: inout Output, count: Int) -> Bool {
        if isChunkSizeLine {
            state = .refused
            output.skip(upTo: count)
            return true
        }
        state = .passThrough
        output.keep(upTo: count)
        return false
    }

    /// One whole line, LF included, that starts at `start` in the source.
    private mutating func take(_ line: UnsafeRawBufferPointer, at start: Int, into output: inout Output) {
        // Only CRLF ends a line here; a bare LF is left to the decoder's judgement.
        guard line.count >= 2, line[line.count - 2] == UInt8(ascii: "\r") else {
            state = .passThrough
            return output.keep(upTo: start + line.count)
        }
        let content = UnsafeRawBufferPointer(rebasing: line[..<(line.count - 2)])
        switch state {
        case .requestLine:
            if !content.isEmpty {
                state = .headerLines(Framing())
                if let minor = Self.versionToRewrite(content) {
                    output.keep(upTo: start + minor)
                    output.replace(length: 1, with: UInt8(ascii: "1"))
                } else if !Self.isHTTP1RequestLine(content) {
                    state = .passThrough
                }
            }
        case .headerLines(var framing):
            if content.isEmpty {
                state = Self.bodyState(after: framing)
                if !framing.rawValues.fields.isEmpty { endedHeads.append(framing.rawValues) }
            } else {
                Self.note(content, in: &framing)
                state = framing.uncertain ? .passThrough : .headerLines(framing)
            }
        case .chunkSizeLine:
            guard let sizeLine = ChunkSizeLine(content) else {
                state = .passThrough
                break
            }
            state = sizeLine.size == 0 ? .trailerLines : .chunkData(remaining: sizeLine.size)
            if sizeLine.hasExtensions {
                output.keep(upTo: start + sizeLine.sizeDigits)
                output.skip(upTo: start + content.count)
            }
        case .chunkDataEnd:
            state = content.isEmpty ? .chunkSizeLine : .passThrough
        case .trailerLines:
            if content.isEmpty { state = .requestLine }
        case .body, .chunkData, .passThrough, .refused:
            break
        }
        output.keep(upTo: start + line.count)
    }

    /// Where `HTTP/1.x` with x from 2 to 9 ends a request line: the offset of x.
    private static func versionToRewrite(_ line: UnsafeRawBufferPointer) -> Int? {
        guard line.count > 9, line.starts(with: "CONNECT ".utf8) == false else { return nil }
        let version = line.count - 9
        guard line[version...].starts(with: " HTTP/1.".utf8),
            (UInt8(ascii: "2")...UInt8(ascii: "9")).contains(line[line.count - 1])
        else { return nil }
        return line.count - 1
    }

    /// Whether `line` is a request line the follower understands: ends in HTTP/1.0 or HTTP/1.1, not CONNECT.
    private static func isHTTP1RequestLine(_ line: UnsafeRawBufferPointer) -> Bool {
        guard line.count > 9, !line.starts(with: "CONNECT ".utf8) else { return false }
        let version = line[(line.count - 9)...]
        return version.elementsEqual(" HTTP/1.1".utf8) || version.elementsEqual(" HTTP/1.0".utf8)
    }

    /// Records what a header field line says about the body's framing.
    private static func note(_ line: UnsafeRawBufferPointer, in framing: inout Framing) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
            line[..<colon].allSatisfy(HTTPSyntax.isTokenByte)
        else {
            framing.uncertain = true
            return
        }
        let name = line[..<colon]
        let value = trimmed(line[(colon + 1)...])
        if equalsIgnoringCase(name, "content-length") {
            guard framing.contentLength == nil, !value.isEmpty, value.count <= 18,
                value.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
            else {
                framing.uncertain = true
                return
            }
            framing.contentLength = value.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        } else if equalsIgnoringCase(name, "transfer-encoding") {
            guard !framing.chunked, equalsIgnoringCase(value, "chunked") else {
                framing.uncertain = true
                return
            }
            framing.chunked = true
        } else if equalsIgnoringCase(name, "upgrade") {
            framing.uncertain = true
        } else if value.contains(where: { $0 >= 0x80 }) {
            framing.rawValues.fields.append((String(decoding: name, as: UTF8.self), Array(value)))
        }
    }

    private static func bodyState(after framing: Framing) -> State {
        switch (framing.contentLength, framing.chunked) {
        case (nil, true): .chunkSizeLine
        case (let length?, false) where length > 0: .body(remaining: length)
        case (_?, false): .requestLine
        case (nil, false): .requestLine
        case (_?, true): .passThrough
        }
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return bytes[bytes.endIndex...]
        }
        return bytes[first...last]
    }

    /// Whether `bytes` spell `lowercase` in any case (`lowercase` is ASCII letters and `-`).
    private static func equalsIgnoringCase(_ bytes: Slice<UnsafeRawBufferPointer>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        return zip(bytes, expected).allSatisfy { $0 | 0x20 == $1 | 0x20 }
    }
}

extension RequestStreamFraming {
    /// The bytes passed on from one source buffer: a slice of it while nothing is rewritten,
    /// a copy with the rewrites otherwise.
    fileprivate struct Output {
        let source: ByteBuffer
        /// How many bytes of the source are dealt with (passed on or left out).
        private(set) var end = 0
        private var rewritten: ByteBuffer?

        init(source: ByteBuffer) {
            self.source = source
        }

        var result: ByteBuffer {
            rewritten ?? source.getSlice(at: source.readerIndex, length: end)!
        }

        /// Passes the source on up to `index`.
        mutating func keep(upTo index: Int) {
            guard index > end else { return }
            if rewritten != nil {
                var slice = source.getSlice(at: source.readerIndex + end, length: index - end)!
                rewritten!.writeBuffer(&slice)
            }
            end = index
        }

        /// Leaves the source out up to `index`.
        mutating func skip(upTo index: Int) {
            guard index > end else { return }
            startRewriting()
            end = index
        }

        /// Puts `byte` in place of the next `length` bytes of the source.
        mutating func replace(length: Int, with byte: UInt8) {
            startRewriting()
            rewritten!.writeInteger(byte)
            end += length
        }

        private mutating func startRewriting() {
            if rewritten == nil {
                rewritten = source.getSlice(at: source.readerIndex, length: end)!
                rewritten!.reserveCapacity(source.readableBytes)
            }
        }
    }
}
