import Foundation
import TestSupport

/// An HTTP answer from an admin listener, fetched with curl.
struct AdminAnswer {
    var status: Int
    var contentType: String
    var body: String

    /// `/metrics` as a dictionary from `name{labels}` to value, with the names that have a
    /// `# HELP` line and the type of each (`# TYPE`).
    var metrics: (values: [String: Double], help: Set<String>, types: [String: String]) {
        var values: [String: Double] = [:]
        var help = Set<String>()
        var types: [String: String] = [:]
        for line in body.split(separator: "\n") {
            if line.hasPrefix("# HELP ") {
                help.insert(String(line.dropFirst(7).prefix { $0 != " " }))
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
            } else if !line.hasPrefix("#"), let space = line.lastIndex(of: " ") {
                values[String(line[..<space])] = Double(line[line.index(after: space)...])
            }
        }
        return (values, help, types)
    }

    /// The body as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }
}

/// `GET url` (or another `method`) with curl.
func adminGet(_ url: String, method: String = "GET") throws -> AdminAnswer {
    let run = try runProcess("/usr/bin/curl", ["-s", "-X", method, "-D", "/dev/stderr", "-o", "/dev/stdout", url], within: 30)
    var status = 0
    var type = ""
    for line in run.errors.split(separator: "\r\n") {
        if line.hasPrefix("HTTP/") { status = Int(line.split(separator: " ")[1]) ?? 0 }
        if line.lowercased().hasPrefix("content-type:") { type = line.dropFirst(13).trimmingCharacters(in: .whitespaces) }
    }
    return AdminAnswer(status: status, contentType: type, body: run.output)
}
