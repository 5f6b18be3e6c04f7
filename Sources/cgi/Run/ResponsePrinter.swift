import CGIGateway
import Glibc

/// Prints a script's result as `cgi-server` would send it, then the script's standard error
/// after a `--- stderr ---` line; explanations follow on standard error, prefixed `cgi run:`.
/// What the response is comes from the run's ``ScriptExchange``; this only prints it.
struct ResponsePrinter {
    /// The idle timeout in seconds, for the message when it struck.
    var timeout: Double
    /// The request's id (the script's `UNIQUE_ID`), named when something went wrong.
    var requestID: String

    /// Prints `result`; returns whether the response is valid and the script ended well.
    func print(_ result: ScriptResult) -> Bool {
        var output: [UInt8] = []
        var notes: [String] = []
        var valid = true
        var serverError = false
        switch result.outcome {
        case .response(let head):
            serverError = head.status >= 500
            output = Self.text(of: head, bodyLength: result.body.count) + result.body
            for name in head.droppedHeaders {
                notes.append("dropped the script's \(name) header: cgi-server frames responses itself")
            }
        case .localRedirect(let target):
            notes.append("local redirect to \(target): cgi-server would serve that path as a new GET request (not a script here)")
        case .failed(let failure):
            valid = false
            notes.append(note(failure))
        case .aborted(let head, let reason):
            valid = false
            output = (head.map { Self.text(of: $0, bodyLength: result.body.count) } ?? []) + result.body
            notes.append("cgi-server would break the connection after the response began: \(reason)")
        case .nonParsedHeader:
            output = result.body
            notes.append("an nph- script: cgi-server sends its output unchecked and closes the connection after it")
        }
        if let last = output.last, last != UInt8(ascii: "\n"), !result.standardError.isEmpty { output.append(UInt8(ascii: "\n")) }
        output += Self.standardErrorSection(result.standardError)
        if case .signaled = result.exitStatus, !result.wasStopped {
            valid = false
            notes.append("the script was \(Self.explain(result.exitStatus))")
        } else if valid, !result.exitStatus.isSuccess {
            notes.append("the script ended with \(result.exitStatus)")
        }
        if !valid || serverError { notes.append(idNote) }
        StandardStreams.output(output)
        for note in notes { StandardStreams.error("cgi run: " + note) }
        return valid
    }

    /// The status line and header fields, with the length the server would frame the body with.
    private static func text(of head: ResponseHead, bodyLength: Int) -> [UInt8] {
        var text = "HTTP/1.1 \(head.status) \(head.reason)\r\n"
        for header in head.headers { text += "\(header.name): \(header.value)\r\n" }
        text += "Content-Length: \(head.contentLength ?? bodyLength)\r\n\r\n"
        return Array(text.utf8)
    }

    /// Explains why the script could not run at all.
    func print(_ failure: ScriptFailure) {
        StandardStreams.error("cgi run: " + note(failure))
        StandardStreams.error("cgi run: " + idNote)
    }

    /// Names the request id, as cgi-server's error pages and logs do.
    private var idNote: String {
        "request id \(requestID) (the script's UNIQUE_ID, and the reference of its error report)"
    }

    private func note(_ failure: ScriptFailure) -> String {
        switch failure {
        case .invalidResponse(let error):
            "invalid response, cgi-server would answer \(failure.status): \(error)"
        case .timedOut:
            "the script wrote nothing for \(timeout) seconds and was stopped; cgi-server would answer \(failure.status)"
        default:
            "cgi-server would answer \(failure.status): \(failure.logMessage)"
        }
    }

    /// A script's standard error under a `--- stderr ---` line; nothing when it is empty.
    static func standardErrorSection(_ standardError: [UInt8]) -> [UInt8] {
        standardError.isEmpty ? [] : Array("--- stderr ---\n".utf8) + standardError
    }

    /// `killed by signal 4 (SIGILL: a Swift runtime trap)`: how a script ended, with what the
    /// signal usually means for a Swift program.
    static func explain(_ status: ExitStatus) -> String {
        guard case .signaled(let signal) = status else { return status.description }
        let meaning: String =
            switch signal {
            case SIGILL: "SIGILL: a Swift runtime trap such as fatalError, a failed precondition or an index out of range"
            case SIGTRAP: "SIGTRAP: a Swift runtime trap"
            case SIGSEGV: "SIGSEGV: a memory access outside the program's memory"
            case SIGBUS: "SIGBUS: a memory access the hardware refused"
            case SIGKILL: "SIGKILL: killed from outside, or by a resource limit"
            case SIGABRT: "SIGABRT: the program called abort()"
            default: String(cString: strsignal(signal))
            }
        return "killed by signal \(signal) (\(meaning))"
    }
}
