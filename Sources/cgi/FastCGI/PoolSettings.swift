/// How `cgi fastcgi` runs its workers, from the command's options.
struct PoolSettings {
    /// Workers kept running (`--workers`).
    var workers: Int
    /// Requests after which a worker is replaced (`--max-requests`), or `nil` for never.
    var maxRequests: Int?
    /// How long one request may run before its worker is killed (`--request-timeout`).
    var requestTimeout: Duration?
    /// The arguments after PROGRAM.
    var arguments: [String]
    /// The workers' environment, without the `FCGI_` variables the manager adds.
    var environment: [String: String]
    /// The folder the workers run in.
    var workingDirectory: String

    /// How long a draining worker (SIGTERM, SIGHUP, recycling) may take to finish before it is
    /// killed: the request timeout, or 30 s without one.
    var drainGrace: Duration { requestTimeout ?? .seconds(30) }

    /// The environment a worker starts with: the configured one, `FCGI_STATUS_FD=3` (the status
    /// pipe, see ``WorkerStatus``) and `FCGI_MAX_REQUESTS` when recycling is on.
    var workerEnvironment: [String: String] {
        var environment = environment
        environment["FCGI_STATUS_FD"] = "3"
        if let maxRequests { environment["FCGI_MAX_REQUESTS"] = String(maxRequests) }
        return environment
    }
}
