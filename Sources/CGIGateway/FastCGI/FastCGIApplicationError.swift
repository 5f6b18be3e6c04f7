/// Why a FastCGI application did not answer a request the way FastCGI 1.0 asks: the web
/// server's view, for its error log and its choice of status (502, or 503 for an application
/// that says it is overloaded).
public enum FastCGIApplicationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection to the application could not be made (`address` as configured, such as
    /// `unix:/run/php/php8.2-fpm.sock`; `reason` from the system, such as "Connection refused").
    case unreachable(address: String, reason: String)
    /// The application sent something FastCGI 1.0 does not allow at that point.
    case protocolViolation(String)
    /// The connection ended before the application's END_REQUEST (FastCGI 1.0 §5.5).
    case connectionClosed
    /// END_REQUEST with FCGI_OVERLOADED: the application is out of some resource (§5.5).
    case overloaded
    /// END_REQUEST with FCGI_CANT_MPX_CONN: it takes one request at a time per connection (§5.5).
    case cannotMultiplex
    /// END_REQUEST with FCGI_UNKNOWN_ROLE: it does not play the Responder role (§5.5, §6.2).
    case unknownRole

    /// The status the client gets: 503 for an overloaded application (it may pass), 502 otherwise.
    public var httpStatus: Int {
        self == .overloaded ? 503 : 502
    }

    /// A sentence for the error log.
    public var description: String {
        switch self {
        case .unreachable(let address, let reason): "cannot connect to the FastCGI application at \(address): \(reason)"
        case .protocolViolation(let detail): "the FastCGI application broke the protocol: \(detail)"
        case .connectionClosed: "the FastCGI application closed the connection before ending the request"
        case .overloaded: "the FastCGI application is overloaded (FCGI_OVERLOADED)"
        case .cannotMultiplex: "the FastCGI application refused a second request on the connection (FCGI_CANT_MPX_CONN)"
        case .unknownRole: "the FastCGI application does not play the Responder role (FCGI_UNKNOWN_ROLE)"
        }
    }
}
