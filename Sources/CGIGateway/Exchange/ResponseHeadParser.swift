import CGICore

/// Reads the header block at the start of a script's standard output, chunk by chunk, strictly
/// (RFC 3875 §6), failing closed: a line it cannot read makes the whole response invalid.
///
/// - A line ends with LF, optionally preceded by CR; a bare CR anywhere else is an error.
/// - A field is `name: value`: the name is an HTTP token directly followed by `:`; the value,
///   trimmed of spaces and tabs, holds no control characters and is UTF-8. A line starting with
///   whitespace (obs-fold) is an error, not a continuation.
/// - `Status: NNN reason`: three digits 200–599 (1xx is not a final response), then nothing or a
///   space and a reason phrase. An `HTTP/1.1 200 OK` line is malformed: non-parsed-header
///   scripts are chosen by name by the caller, never by sniffing.
/// - `Status`, `Content-Type` and `Location` may appear once each; `Transfer-Encoding` is refused;
///   `Content-Length`, `Connection`, `Keep-Alive`, `Upgrade`, `Trailer`, `TE` and `Proxy-*` are dropped.
/// - Limits (``Limits``) bound each line, the whole block and the number of fields.
///
/// Feed each chunk of output to ``feed(_:)`` until it returns ``Progress/complete(_:bodyStart:)``;
/// if the output ends first, report ``errorAtEndOfOutput``.
public struct ResponseHeadParser: Sendable {
    /// Bounds on the header block; exceeding one is a 502.
    public struct Limits: Sendable, Equatable {
        /// The longest line in bytes, line ending included.
        public var maxLineBytes: Int
        /// The largest header block in bytes, blank line included.
        public var maxHeadBytes: Int
        /// The most header fields.
        public var maxHeaderCount: Int

        /// Creates limits; the defaults are 8 KiB per line, 64 KiB in all, 100 fields.
        public init(maxLineBytes: Int = 8 << 10, maxHeadBytes: Int = 64 << 10, maxHeaderCount: Int = 100) {
            self.maxLineBytes = maxLineBytes
            self.maxHeadBytes = maxHeadBytes
            self.maxHeaderCount = maxHeaderCount
        }
    }

    /// What a chunk of output brought.
    public enum Progress: Sendable, Equatable {
        /// The header block is not complete yet: feed the next chunk.
        case needMore
        /// The header block is complete; the body starts at offset `bodyStart` of the chunk just fed.
        case complete(ResponseHead, bodyStart: Int)
    }

    /// The bounds in force.
    public let limits: Limits
    private var line: [UInt8] = []
    private var lineNumber = 0
    private var headBytes = 0
    private var fields: [HeaderField] = []

    /// Creates a parser for one response.
    public init(limits: Limits = .init()) {
        self.limits = limits
    }

    /// The error to report when the output ends before the header block is complete.
    public var errorAtEndOfOutput: ResponseHeadError {
        headBytes == 0 ? .noOutput : .endOfOutput
    }

    /// Takes the next chunk of the script's output.
    public mutating func feed<Bytes: Collection<UInt8>>(_ chunk: Bytes) throws(ResponseHeadError) -> Progress {
        try parse(chunk)
    }

    /// Takes the next chunk of the script's output from memory (a server's read buffer): the same
    /// as the generic ``feed(_:)``, without its generic overhead when called from another module.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer) throws(ResponseHeadError) -> Progress {
        try parse(chunk)
    }

    private mutating func parse<Bytes: Collection<UInt8>>(_ chunk: Bytes) throws(ResponseHeadError) -> Progress {
        var index = chunk.startIndex
        while index != chunk.endIndex {
            let lineFeed = chunk[index...].firstIndex(of: UInt8(ascii: "\n"))
            let piece = chunk[index..<(lineFeed ?? chunk.endIndex)]
            line.append(contentsOf: piece)
            headBytes += piece.count + (lineFeed == nil ? 0 : 1)
            if line.count + (lineFeed == nil ? 0 : 1) > limits.maxLineBytes {
                throw .lineTooLong(number: lineNumber + 1, limit: limits.maxLineBytes)
            }
            if headBytes > limits.maxHeadBytes { throw .headTooLarge(limit: limits.maxHeadBytes) }
            guard let lineFeed else { return .needMore }
            index = chunk.index(after: lineFeed)
            lineNumber += 1
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if line.isEmpty {
                return .complete(
                    try ResponseHeadClassifier.classify(fields), bodyStart: chunk.distance(from: chunk.startIndex, to: index))
            }
            fields.append(try field(in: line))
            if fields.count > limits.maxHeaderCount { throw .tooManyHeaders(limit: limits.maxHeaderCount) }
            line.removeAll(keepingCapacity: true)
        }
        return .needMore
    }

    private func field(in line: [UInt8]) throws(ResponseHeadError) -> HeaderField {
        func malformed(_ reason: String) -> ResponseHeadError {
            .malformedLine(number: lineNumber, reason: reason, excerpt: Self.excerpt(line))
        }
        if line[0] == UInt8(ascii: " ") || line[0] == UInt8(ascii: "\t") {
            throw malformed("continuation lines (obs-fold) are not allowed")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw malformed("no colon") }
        let name = line[..<colon]
        guard !name.isEmpty, name.allSatisfy(HTTPSyntax.isTokenByte) else {
            throw malformed("the field name is not a token")
        }
        let value = HTTPSyntax.trimmingWhitespace(line[(colon + 1)...])
        guard !value.contains(where: HTTPSyntax.isControlByte) else {
            throw malformed("the value contains a control character")
        }
        guard let text = String(validating: value, as: UTF8.self) else { throw malformed("the value is not UTF-8") }
        return HeaderField(name: String(decoding: name, as: UTF8.self), value: text)
    }

    /// The start of a line for a log message, unprintable bytes as `\xNN`.
    private static func excerpt(_ line: [UInt8]) -> String {
        var text = ""
        for byte in line.prefix(60) {
            if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return line.count > 60 ? text + "…" : text
    }
}
