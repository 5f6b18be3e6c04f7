import Foundation
import TestSupport

/// A response as a test sees it.
struct HTTPResult {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: Data
    /// curl's exit status (0: the whole response arrived; 28: curl's time limit ended it).
    var curlStatus: Int32 = 0

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The probe's `env-NAME=VALUE` lines as a dictionary.
    var environment: [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("env-") {
            let pair = line.dropFirst(4)
            guard let equals = pair.firstIndex(of: "=") else { continue }
            result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return result
    }
}

/// Runs the real curl and parses what it printed (`-i`, last response only).
func curl(_ arguments: [String], timeout: Double = 30) throws -> HTTPResult {
    let result = try startCurl(arguments, timeout: timeout).finish(within: timeout + 60)
    // With --raw curl leaves chunked bodies as they came: parse the framing like a raw socket read.
    let response =
        arguments.contains("--raw") ? try parseResponses(result.standardOutput).last : try parseCurlOutput(result.standardOutput)
    guard var response else { throw TestFailure("curl printed no response (\(result.termination))") }
    response.curlStatus = result.exitStatus
    return response
}

/// Runs several curls at the same time and returns their responses (nil for a failed one), in order.
func curlAll(_ argumentLists: [[String]], timeout: Double = 30) throws -> [HTTPResult?] {
    let runs = try argumentLists.map { try startCurl($0, timeout: timeout) }
    return try runs.map { run in
        let output = try run.finish(within: timeout + 60).standardOutput
        return (try? parseCurlOutput(output)) ?? nil
    }
}

/// Starts curl (`-i`, no `Expect: 100-continue`, at most `timeout` seconds).
func startCurl(_ arguments: [String], timeout: Double = 30) throws -> ChildProcess {
    try ChildProcess("/usr/bin/curl", ["-s", "-i", "--max-time", String(timeout), "-H", "Expect:"] + arguments)
}

/// The final response in `curl -i` output: heads of interim responses are skipped and the body,
/// which curl has already de-chunked, is everything after the last head.
func parseCurlOutput(_ data: Data) throws -> HTTPResult? {
    var rest = data[...]
    while let end = rest.firstRange(of: Data("\r\n\r\n".utf8)) {
        var result = try parseHead(rest[..<end.lowerBound])
        rest = rest[end.upperBound...]
        if result.status == 100 { continue }
        result.body = Data(rest)
        return result
    }
    return nil
}

/// A status line and header lines.
func parseHead(_ bytes: Data.SubSequence) throws -> HTTPResult {
    let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
    let statusParts = lines[0].split(separator: " ")
    guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
        throw TestFailure("bad status line \(lines[0].prefix(80))")
    }
    let headers = lines.dropFirst().compactMap { line -> (String, String)? in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
    return HTTPResult(status: status, headers: headers, body: Data())
}

/// Splits raw bytes into responses (for `curl -i` output and raw-socket reads). Bodies are
/// read by Content-Length, chunked framing, or to the end.
func parseResponses(_ data: Data, headRequests: Int = 0) throws -> [HTTPResult] {
    var results: [HTTPResult] = []
    var rest = data[...]
    var heads = headRequests
    while !rest.isEmpty {
        guard let end = rest.firstRange(of: Data("\r\n\r\n".utf8)) else {
            throw TestFailure("incomplete head: \(String(decoding: rest.prefix(80), as: UTF8.self))")
        }
        var result = try parseHead(rest[..<end.lowerBound])
        let status = result.status
        rest = rest[end.upperBound...]
        if status == 100 { continue }
        if heads > 0 || status == 304 || status == 204 {
            heads -= heads > 0 ? 1 : 0
        } else if let length = result.header("Content-Length").flatMap(Int.init) {
            result.body = Data(rest.prefix(length))
            rest = rest.dropFirst(length)
        } else if result.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while let lineEnd = rest.firstRange(of: Data("\r\n".utf8)) {
                let size = Int(String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self), radix: 16) ?? 0
                rest = rest[lineEnd.upperBound...]
                if size == 0 {
                    rest = rest.dropFirst(2)
                    break
                }
                result.body.append(rest.prefix(size))
                rest = rest.dropFirst(size + 2)
            }
        } else {
            result.body = Data(rest)
            rest = rest.suffix(0)
        }
        results.append(result)
    }
    return results
}
