/// Why a host answers a script request with an error page instead of the script's response:
/// the status, the line for the error log, and what the page may say in development mode.
public enum ScriptFailure: Error, Sendable, Equatable {
    /// The script's output is not a valid response head (502, or 500 when it lacks a
    /// `Content-Type`; ``ResponseHeadError/httpStatus``).
    case invalidResponse(ResponseHeadError)
    /// The script wrote more body right after its head than its `Content-Length` allows (502).
    case bodyLongerThanContentLength(Int)
    /// The script wrote nothing for the idle timeout before its response head (504).
    case timedOut
    /// Local redirects led to more local redirects than ``ScriptExchange/maxRedirects`` (500).
    case tooManyRedirects(limit: Int)
    /// The script could not be started (500).
    case cannotStart(ScriptSpawnError)
    /// A `.swift` script (named by its URL path) could not be compiled (500).
    case cannotCompile(script: String, ScriptCompilerError)
    /// The script's output could not be read (500).
    case outputUnreadable(String)
    /// Every script slot is busy and the wait for one ran out (503, with `Retry-After`).
    case noScriptSlot
    /// The request body is larger than the host accepts (413).
    case requestBodyTooLarge
    /// The request body could not be kept for the script (500).
    case requestBodyNotStored(String)
    /// A FastCGI application could not be reached or did not answer by the protocol (502; 503
    /// with `Retry-After` when it says it is overloaded).
    case applicationFailed(FastCGIApplicationError)

    /// The HTTP status the client gets.
    public var status: Int {
        switch self {
        case .invalidResponse(let error): error.httpStatus
        case .bodyLongerThanContentLength: 502
        case .timedOut: 504
        case .noScriptSlot: 503
        case .requestBodyTooLarge: 413
        case .tooManyRedirects, .cannotStart, .cannotCompile, .outputUnreadable, .requestBodyNotStored: 500
        case .applicationFailed(let error): error.httpStatus
        }
    }

    /// The line for the error log.
    public var logMessage: String {
        switch self {
        case .invalidResponse(let error): "invalid response: \(error)"
        case .bodyLongerThanContentLength(let length):
            "invalid response: script wrote more than its Content-Length of \(length) bytes"
        case .timedOut: "script timed out before its response head"
        case .tooManyRedirects(let limit): "more than \(limit) local redirects"
        case .cannotStart(let error): error.description
        case .cannotCompile(_, let error): error.description
        case .outputUnreadable(let reason): "cannot read the script's output: \(reason)"
        case .noScriptSlot: "no script slot free: 503"
        case .requestBodyTooLarge: "request body too large: 413"
        case .requestBodyNotStored(let reason): "cannot store the request body: \(reason)"
        case .applicationFailed(let error): error.description
        }
    }

    /// What the error page says in development mode (otherwise it shows a reference only).
    public var pageMessage: String {
        switch self {
        case .invalidResponse(let error): error.description
        case .bodyLongerThanContentLength(let length): "The script wrote more than its Content-Length of \(length) bytes."
        case .timedOut: "The script did not answer in time."
        case .tooManyRedirects: "Too many local redirects."
        case .cannotStart(let error): error.description
        case .cannotCompile(let script, _): "\(script) cannot be compiled."
        case .outputUnreadable: "The script's output could not be read."
        case .noScriptSlot: "Too many scripts are running; try again shortly."
        case .requestBodyTooLarge: "The request body is larger than this server accepts."
        case .requestBodyNotStored: "The request body could not be stored."
        case .applicationFailed(.overloaded): "The application is overloaded; try again shortly."
        case .applicationFailed(let error): "The FastCGI application failed: \(error)."
        }
    }

    /// Seconds after which the client may try again (`Retry-After`), for a failure that passes.
    public var retryAfter: Int? {
        self == .noScriptSlot || self == .applicationFailed(.overloaded) ? 1 : nil
    }

    /// Lines of text shown below the message in development mode: a compiler's messages.
    public var listing: String? {
        switch self {
        case .cannotCompile(_, .compileFailed(_, let diagnostics)): diagnostics
        case .cannotCompile(_, let error): error.description
        default: nil
        }
    }
}
