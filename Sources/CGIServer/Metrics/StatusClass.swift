/// The class of an HTTP status code (RFC 9110 §15): `1xx` to `5xx`, the `status_class` label of
/// the request metrics (one label per class, not per code, keeps the series few).
enum StatusClass: Int, Sendable, CaseIterable {
    case informational = 1
    case successful, redirection, clientError, serverError

    /// The class of `code`; codes outside 100–599 count as server errors.
    init(code: UInt) {
        self = StatusClass(rawValue: Int(code / 100)) ?? .serverError
    }

    /// `2xx` and so on.
    var label: String { "\(rawValue)xx" }
}
