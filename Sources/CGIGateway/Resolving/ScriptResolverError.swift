/// Why a URL path does not lead to a script that may run.
///
/// Each case maps to the HTTP status the server answers with: ``httpStatus``.
public enum ScriptResolverError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No script answers to the path (404).
    case notFound
    /// A script was found but policy forbids running it; the reason is for the log (403).
    case forbidden(String)
    /// The path itself is malformed or hostile; the reason is for the log (400).
    case badRequest(String)

    /// The HTTP status code the server should answer with.
    public var httpStatus: Int {
        switch self {
        case .notFound: 404
        case .forbidden: 403
        case .badRequest: 400
        }
    }

    /// A sentence for the log.
    public var description: String {
        switch self {
        case .notFound: "no script at this path"
        case .forbidden(let reason): "script refused: \(reason)"
        case .badRequest(let reason): "bad request path: \(reason)"
        }
    }
}
