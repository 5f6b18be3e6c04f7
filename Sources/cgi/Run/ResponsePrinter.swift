import CGIGateway

/// Prints a script's result as `cgi-server` would send it, then the script's standard error
/// after a `--- stderr ---` line; explanations follow on standard error, prefixed `cgi run:`.
struct ResponsePrinter {
    /// The request method (a `HEAD` response has no body).
    var method: String
    /// The idle timeout in seconds, for the message when it struck.
    var timeout: Double

    /// Prints `result`; returns whether the response is valid.
    func print(_ result: ScriptResult) -> Bool {
        var output: [UInt8] = []
        var notes: [String] = []
        let valid: Bool
        switch result.outcome {
        case .response(let head):
            valid = true
            if case .localRedirect(let target) = head.kind {
                notes.append("local redirect to \(target): cgi-server would serve that path as a new GET request (not a script here)")
            } else {
                let body = head.sendsBody && method != "HEAD" ? result.body : []
                var text = "HTTP/1.1 \(head.status) \(head.reason)\r\n"
                for header in head.headers { text += "\(header.name): \(header.value)\r\n" }
                text += "Content-Length: \(body.count)\r\n\r\n"
                output = Array(text.utf8) + body
            }
            for name in head.droppedHeaders { notes.append("dropped the script's \(name) header: cgi-server frames responses itself") }
        case .invalid(let error):
            valid = false
            notes.append("invalid response, cgi-server would answer \(error.httpStatus): \(error)")
        case .nonParsedHeader:
            valid = true
            output = result.body
            notes.append("an nph- script: cgi-server sends its output unchecked and closes the connection after it")
        case .timedOut:
            valid = false
            notes.append("the script wrote nothing for \(timeout) seconds and was stopped; cgi-server would answer 504")
        }
        if let last = output.last, last != UInt8(ascii: "\n"), !result.standardError.isEmpty { output.append(UInt8(ascii: "\n")) }
        output += Self.standardErrorSection(result.standardError)
        if valid, !result.exitStatus.isSuccess { notes.append("the script ended with \(result.exitStatus)") }
        StandardStreams.output(output)
        for note in notes { StandardStreams.error("cgi run: " + note) }
        return valid
    }

    /// A script's standard error under a `--- stderr ---` line; nothing when it is empty.
    static func standardErrorSection(_ standardError: [UInt8]) -> [UInt8] {
        standardError.isEmpty ? [] : Array("--- stderr ---\n".utf8) + standardError
    }
}
