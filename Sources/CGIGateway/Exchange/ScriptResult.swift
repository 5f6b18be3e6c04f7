/// Everything a synchronous run of a script produced, as its ``ScriptExchange`` decided.
public struct ScriptResult: Sendable, Equatable {
    /// How the response turned out.
    public enum Outcome: Sendable, Equatable {
        /// A document or a client redirect: send this head; ``ScriptResult/body`` holds the
        /// body to send after it (none for a client redirect without a document, a `HEAD`
        /// request, 204 or 304).
        case response(ResponseHead)
        /// A local redirect: serve this path (and query) as a new request instead.
        case localRedirect(String)
        /// The host answers with an error page: ``ScriptFailure/status``, and
        /// ``ScriptFailure/logMessage`` in its log.
        case failed(ScriptFailure)
        /// The response was begun (with `head`, when the script's head had gone out) and could
        /// not be completed, for `reason`: the host breaks the connection.
        case aborted(ResponseHead?, reason: String)
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
    /// Whether the host stopped the script (a timeout, an invalid head, a local redirect), so
    /// that a signal in ``exitStatus`` is the host's doing, not a crash.
    public var wasStopped: Bool

    /// Creates a result.
    public init(outcome: Outcome, body: [UInt8], standardError: [UInt8], exitStatus: ExitStatus, wasStopped: Bool = false) {
        self.outcome = outcome
        self.body = body
        self.standardError = standardError
        self.exitStatus = exitStatus
        self.wasStopped = wasStopped
    }
}
