/// Everything a synchronous run of a script produced.
public struct ScriptResult: Sendable, Equatable {
    /// How the response turned out.
    public enum Outcome: Sendable, Equatable {
        /// A valid response head; ``ScriptResult/body`` holds the body that follows it.
        case response(ResponseHead)
        /// The output is not a valid response; the server would answer
        /// ``ResponseHeadError/httpStatus`` and log ``ResponseHeadError/description``.
        case invalid(ResponseHeadError)
        /// The script produced no output for the idle timeout and its group was stopped (a 504).
        case timedOut
        /// A non-parsed-header script (``ScriptLocation/isNonParsedHeader``): its whole output,
        /// status line included, is in ``ScriptResult/body``, unchecked.
        case nonParsedHeader
    }

    /// How the response turned out.
    public var outcome: Outcome
    /// The bytes after the header block when the response kind sends a body (the whole output
    /// for a non-parsed-header script); otherwise empty.
    public var body: [UInt8]
    /// What the script wrote on standard error, up to the runner's limit.
    public var standardError: [UInt8]
    /// How the script process ended.
    public var exitStatus: ExitStatus

    /// Creates a result.
    public init(outcome: Outcome, body: [UInt8], standardError: [UInt8], exitStatus: ExitStatus) {
        self.outcome = outcome
        self.body = body
        self.standardError = standardError
        self.exitStatus = exitStatus
    }
}
