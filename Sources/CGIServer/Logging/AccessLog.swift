import Glibc

/// The access log: one line per response in an ``AccessLogFormat``, written with a single
/// `write(2)` so lines from several threads never interleave.
final class AccessLog: Sendable {
    /// One finished exchange, as the log line needs it.
    struct Entry {
        var remoteAddress: String
        var requestLine: String
        var status: UInt
        var bodyBytes: Int
        var referer: String?
        var userAgent: String?
        /// The request id, which the error log, the error page and the script's `UNIQUE_ID` show too.
        var requestID: String
        /// From the request head's arrival to the response's end, in microseconds.
        var microseconds: Int64
    }

    private let format: AccessLogFormat
    private let descriptor: Int32
    /// The file, or `nil` for standard output.
    private let file: LogFile?

    /// Opens `path` for appending, or uses standard output for `-`, to write lines in `format`.
    init(path: String, format: AccessLogFormat = .combined) throws(LogFile.OpenError) {
        self.format = format
        if path == "-" {
            descriptor = STDOUT_FILENO
            file = nil
            return
        }
        let file = try LogFile(path: path)
        descriptor = file.descriptor
        self.file = file
    }

    deinit {
        if file != nil { close(descriptor) }
    }

    /// Opens the file again by its path (after logrotate renamed it); nothing for standard output.
    func reopen() throws(LogFile.OpenError) {
        try file?.reopen()
    }

    /// Appends one line for `entry`, stamped with the current time.
    func record(_ entry: Entry) {
        var bytes = format.line(for: entry, at: time(nil))
        _ = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// Escapes quotes, backslashes and control bytes (attacker-controlled text must not forge log lines).
    static func escape(_ text: String) -> String {
        var escaped: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                escaped += [UInt8(ascii: "\\"), byte]
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                escaped += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default:
                escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }
}
