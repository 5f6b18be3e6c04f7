/// Where a ``FastCGIResponder`` sends its request: an application that runs on its own
/// (`--fastcgi-pass`), or a worker of a resident script's pool (`--resident`), leased for the request.
enum FastCGIUpstream {
    /// An application at a fixed address.
    case application(FastCGIAddress)
    /// A resident script: each attempt leases a worker and connects to its socket.
    case resident(ResidentWorkerSource)

    /// How many times a request whose connection closed before any output (and that sent no
    /// body) is sent again: once on a new connection to an application (a kept connection it had
    /// closed), twice to a resident pool (each time another worker, the broken one killed).
    var retries: Int {
        switch self {
        case .application: 1
        case .resident: 2
        }
    }
}
