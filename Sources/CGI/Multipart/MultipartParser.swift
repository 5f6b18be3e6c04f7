import Glibc

/// An incremental ("push") parser for a multipart body (RFC 2046 §5.1, RFC 7578).
///
/// Feed it the body in chunks of any size; it reports each part's headers, its data (in
/// pieces, never buffering a part) and its end. The events are the same wherever the chunks
/// are split. Memory stays bounded: at most one header block (``maxHeaderBytes``) or one
/// partial delimiter is carried from one chunk to the next.
///
/// Accepted, as real clients send it: a preamble and an epilogue (ignored), CRLF or bare LF
/// line ends, transport padding (spaces, tabs) after a delimiter, folded part headers.
/// A line that only resembles a delimiter (`--boundaryX`, `--boundary--x`) is data.
///
/// ```swift
/// var parser = try MultipartParser(boundary: "AaB03x")
/// try parser.feed(chunk) { event in … }
/// try parser.finish { event in … }      // at the end of the body
/// ```
public struct MultipartParser {
    /// What the parser found.
    public enum Event {
        /// A part starts; its header block.
        case partStart(MultipartHeaders)
        /// The next piece of the current part's data. The bytes are valid only during the call.
        case partData(UnsafeRawBufferPointer)
        /// The current part is complete.
        case partEnd
    }

    private enum State {
        /// Before the first delimiter: skipped.
        case preamble
        /// Inside a part's header block.
        case headers
        /// Inside a part's data.
        case data
        /// After the close delimiter: skipped.
        case epilogue
    }

    /// How a possible delimiter at some position turned out.
    private enum DelimiterMatch {
        /// Not a delimiter: the bytes are data.
        case none
        /// The input ends before it can be told.
        case undecided
        /// A delimiter line; the next part's headers start at `end`.
        case delimiter(end: Int)
        /// The close delimiter (`--boundary--`); the body ends at `end`.
        case close(end: Int)
    }

    /// The most spaces and tabs accepted after a delimiter (RFC 2046 transport padding).
    static let maxTransportPadding = 256

    /// The largest header block of one part, in bytes.
    public let maxHeaderBytes: Int
    /// How header text (names, filenames) is decoded.
    public let encoding: TextEncoding
    /// `--boundary`: a delimiter at the start of a line.
    private let dashBoundary: [UInt8]
    /// Searches for `\n--boundary`.
    private let lineBoundarySearch: BytePatternSearch
    /// `\n--boundary`.
    private var lineBoundary: [UInt8] { lineBoundarySearch.pattern }
    private var state = State.preamble
    /// Whether the unprocessed input begins a line (the body's start, a part's data start),
    /// where a delimiter needs no line break before it.
    private var atLineStart = true
    /// Input that could not be decided yet: a partial delimiter or an incomplete header block.
    private var pending: [UInt8] = []
    /// How many bytes of the pending header block were already scanned for its end.
    private var scannedHeaderBytes = 0
    private var sawInput = false

    /// Whether the close delimiter was read; later input is ignored.
    public var isComplete: Bool { state == .epilogue }

    /// Creates a parser for parts separated by `boundary`.
    /// - Throws: ``CGIError/invalidBoundary(_:)`` unless `boundary` is 1–70 characters from
    ///   RFC 2046 §5.1.1's `bchars`, not ending in a space.
    public init(boundary: String, maxHeaderBytes: Int = 16 << 10, encoding: TextEncoding = .utf8) throws {
        guard Self.isValid(boundary: boundary) else { throw CGIError.invalidBoundary(boundary) }
        self.maxHeaderBytes = maxHeaderBytes
        self.encoding = encoding
        dashBoundary = Array("--\(boundary)".utf8)
        lineBoundarySearch = BytePatternSearch(pattern: [UInt8(ascii: "\n")] + dashBoundary)
    }

    /// Whether `boundary` is valid by RFC 2046 §5.1.1: 1–70 `bchars`, the last not a space.
    public static func isValid(boundary: String) -> Bool {
        let bytes = Array(boundary.utf8)
        guard (1...70).contains(bytes.count), bytes.last != UInt8(ascii: " ") else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "A")...UInt8(ascii: "Z"):
                true
            default:
                Array("'()+_,-./:=? ".utf8).contains(byte)
            }
        }
    }

    /// Parses the next chunk of the body, calling `handle` for each event in order.
    /// After an error the parser must not be used again.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ handle: (Event) throws -> Void) throws {
        guard !isComplete, !chunk.isEmpty else { return }
        sawInput = true
        if pending.isEmpty {
            let used = try process(chunk, atEnd: false, handle)
            pending.append(contentsOf: chunk[used...])
        } else {
            var input = pending
            pending = []
            input.append(contentsOf: chunk)
            let used = try input.withUnsafeBytes { try process($0, atEnd: false, handle) }
            input.removeSubrange(..<used)
            pending = input
        }
    }

    /// Ends the body: reports the last events and checks that the body was complete.
    /// An empty body is an empty form.
    /// - Throws: ``CGIError/truncated(_:)`` when the body stopped before the close delimiter,
    ///   ``CGIError/malformed(_:)`` when it holds no delimiter at all.
    public mutating func finish(_ handle: (Event) throws -> Void) throws {
        let input = pending
        pending = []
        _ = try input.withUnsafeBytes { try process($0, atEnd: true, handle) }
        switch state {
        case .epilogue:
            return
        case .preamble:
            if sawInput { throw CGIError.malformed("the multipart body contains no boundary delimiter") }
            state = .epilogue
        case .headers:
            throw CGIError.truncated("the body ended inside a part's headers")
        case .data:
            throw CGIError.truncated("the body ended before the closing boundary delimiter")
        }
    }

    /// Processes as much of `input` as can be decided; returns how many bytes were used.
    private mutating func process(
        _ input: UnsafeRawBufferPointer, atEnd: Bool, _ handle: (Event) throws -> Void
    ) throws -> Int {
        var offset = 0
        while offset < input.count {
            switch state {
            case .epilogue:
                return input.count
            case .headers:
                guard let end = try headerBlockEnd(input, from: offset) else { return offset }
                let block = UnsafeRawBufferPointer(rebasing: input[offset..<end.block])
                try handle(.partStart(MultipartHeaders(parsing: block, encoding: encoding)))
                state = .data
                atLineStart = true
                offset = end.next
            case .preamble, .data:
                let (dataEnd, match) = nextDelimiter(input, from: offset, atEnd: atEnd)
                if state == .data && dataEnd > offset {
                    try handle(.partData(UnsafeRawBufferPointer(rebasing: input[offset..<dataEnd])))
                }
                if dataEnd > offset { atLineStart = false }
                offset = dataEnd
                switch match {
                case .delimiter(let end):
                    if state == .data { try handle(.partEnd) }
                    state = .headers
                    offset = end
                case .close(let end):
                    if state == .data { try handle(.partEnd) }
                    state = .epilogue
                    offset = end
                case .none, .undecided:
                    return offset
                }
            }
        }
        return offset
    }

    /// Finds the next delimiter at or after `start`. Returns where the data before it ends
    /// (without the line break that belongs to the delimiter, RFC 2046 §5.1.1) and the match.
    /// Without a decided delimiter, the data end leaves out any tail that could still begin one.
    private func nextDelimiter(
        _ input: UnsafeRawBufferPointer, from start: Int, atEnd: Bool
    ) -> (dataEnd: Int, match: DelimiterMatch) {
        var searchFrom = start
        if atLineStart {
            switch matchDelimiterLine(input, at: start, atEnd: atEnd) {
            case .none: searchFrom = start
            case let match: return (start, match)
            }
        }
        while let newline = lineBoundarySearch.firstIndex(in: input, from: searchFrom) {
            let match = matchDelimiterLine(input, at: newline + 1, atEnd: atEnd)
            if case .none = match {
                searchFrom = newline + 1
                continue
            }
            var dataEnd = newline
            if dataEnd > start && input[dataEnd - 1] == UInt8(ascii: "\r") { dataEnd -= 1 }
            return (dataEnd, match)
        }
        if atEnd { return (input.count, .none) }
        return (undecidedTail(input, from: max(start, searchFrom)), .undecided)
    }

    /// Where the bytes that might still start a delimiter begin: a trailing partial
    /// `\n--boundary` and the CR before it, or a trailing CR.
    private func undecidedTail(_ input: UnsafeRawBufferPointer, from start: Int) -> Int {
        var tail = input.count
        for position in max(start, input.count - lineBoundary.count + 1)..<input.count
        where input[position] == UInt8(ascii: "\n") {
            let length = input.count - position
            if lineBoundary.withUnsafeBytes({ memcmp($0.baseAddress!, input.baseAddress! + position, length) }) == 0 {
                tail = position
                break
            }
        }
        if tail > start && input[tail - 1] == UInt8(ascii: "\r") { tail -= 1 }
        return tail
    }

    /// Decides whether a delimiter line starts at `position` (just after a line break):
    /// `--boundary` followed by transport padding and a line end, or by `--` (close).
    private func matchDelimiterLine(_ input: UnsafeRawBufferPointer, at position: Int, atEnd: Bool) -> DelimiterMatch {
        let available = input.count - position
        let compared = min(available, dashBoundary.count)
        if dashBoundary.withUnsafeBytes({ memcmp($0.baseAddress!, input.baseAddress! + position, compared) }) != 0 {
            return .none
        }
        let undecided: DelimiterMatch = atEnd ? .none : .undecided
        if available < dashBoundary.count { return undecided }
        var index = position + dashBoundary.count
        var isClose = false
        if index < input.count && input[index] == UInt8(ascii: "-") {
            guard index + 1 < input.count else { return undecided }
            guard input[index + 1] == UInt8(ascii: "-") else { return .none }
            isClose = true
            index += 2
        }
        let paddingStart = index
        while index < input.count && (input[index] == UInt8(ascii: " ") || input[index] == UInt8(ascii: "\t")) {
            index += 1
            if index - paddingStart > Self.maxTransportPadding { return .none }
        }
        if index == input.count {
            return atEnd && isClose ? .close(end: index) : undecided
        }
        switch input[index] {
        case UInt8(ascii: "\n"):
            index += 1
        case UInt8(ascii: "\r"):
            guard index + 1 < input.count else { return atEnd && isClose ? .close(end: index + 1) : undecided }
            guard input[index + 1] == UInt8(ascii: "\n") else { return .none }
            index += 2
        default:
            return .none
        }
        return isClose ? .close(end: index) : .delimiter(end: index)
    }

    /// Finds the end of the header block starting at `start`: the blank (or whitespace-only)
    /// line. Returns where the block's lines end and where the part's data starts, or nil
    /// when the input ends first.
    /// - Throws: ``CGIError/headerTooLarge(limit:)`` past ``maxHeaderBytes``.
    private mutating func headerBlockEnd(
        _ input: UnsafeRawBufferPointer, from start: Int
    ) throws -> (block: Int, next: Int)? {
        var lineStart = start + scannedHeaderBytes
        while let newline = Self.firstNewline(in: input, from: lineStart) {
            if newline + 1 - start > maxHeaderBytes { throw CGIError.headerTooLarge(limit: maxHeaderBytes) }
            let isBlank = input[lineStart..<newline].allSatisfy {
                $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t")
            }
            if isBlank {
                scannedHeaderBytes = 0
                return (lineStart, newline + 1)
            }
            lineStart = newline + 1
        }
        if input.count - start > maxHeaderBytes { throw CGIError.headerTooLarge(limit: maxHeaderBytes) }
        scannedHeaderBytes = lineStart - start
        return nil
    }

    /// The position of the first LF in `input` at or after `start`.
    private static func firstNewline(in input: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < input.count, let found = memchr(input.baseAddress! + start, 0x0A, input.count - start)
        else { return nil }
        return UnsafeRawPointer(found) - input.baseAddress!
    }
}
