import CGICore
import Glibc

/// How the access log writes a line: Apache's Combined Log Format followed by the request id and
/// the duration, or the same fields as one JSON object per line (JSON Lines).
public enum AccessLogFormat: String, Sendable, CaseIterable {
    /// `127.0.0.1 - - [05/Dec/2026:07:11:42 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8.0" 4f3a9c1e-c1-1 734`:
    /// Combined Log Format, then the request id (Apache's `%{UNIQUE_ID}e`) and the duration in
    /// microseconds (Apache's `%D`).
    case combined
    /// `{"time":"2026-12-05T07:11:42Z","remote_addr":"127.0.0.1","request":"GET / HTTP/1.1",…}`:
    /// the same fields, every string escaped as RFC 8259 §7 asks, `null` for a missing header.
    case json

    /// The line (with its newline) for `entry`, logged at `time` (seconds since 1970).
    func line(for entry: AccessLog.Entry, at time: time_t) -> [UInt8] {
        switch self {
        case .combined:
            let size = entry.bodyBytes > 0 ? String(entry.bodyBytes) : "-"
            let line =
                "\(entry.remoteAddress) - - [\(CommonLogTime.format(time))] \"\(AccessLog.escape(entry.requestLine))\" "
                + "\(entry.status) \(size) \"\(AccessLog.escape(entry.referer ?? "-"))\" "
                + "\"\(AccessLog.escape(entry.userAgent ?? "-"))\" \(entry.requestID) \(entry.microseconds)\n"
            return Array(line.utf8)
        case .json:
            var line: [UInt8] = []
            line.reserveCapacity(256)
            func member(_ name: String, _ write: (inout [UInt8]) -> Void) {
                line.append(line.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
                JSONString.write(name, to: &line)
                line.append(UInt8(ascii: ":"))
                write(&line)
            }
            func text(_ name: String, _ value: String?) {
                member(name) { output in
                    if let value { JSONString.write(value, to: &output) } else { output += Array("null".utf8) }
                }
            }
            func number(_ name: String, _ value: some BinaryInteger) {
                member(name) { $0 += Array(String(value).utf8) }
            }
            text("time", Self.isoTime(time))
            text("remote_addr", entry.remoteAddress)
            text("request", entry.requestLine)
            number("status", entry.status)
            number("bytes", entry.bodyBytes)
            text("referer", entry.referer)
            text("user_agent", entry.userAgent)
            text("request_id", entry.requestID)
            number("duration_us", entry.microseconds)
            line += Array("}\n".utf8)
            return line
        }
    }

    /// `time` as RFC 3339 UTC, such as `2026-12-05T07:11:42Z`.
    static func isoTime(_ time: time_t) -> String {
        var seconds = time
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
