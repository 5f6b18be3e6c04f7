/// How a FastCGI worker pool runs its workers: `cgi fastcgi`'s options, or the server's
/// `--workers`, `--max-requests` and script timeout for a resident script.
package struct PoolSettings: Sendable {
    /// Workers kept running (`--workers`); for an on-demand pool, the most it starts.
    package var workers: Int
    /// Requests after which a worker is replaced (`--max-requests`), or `nil` for never.
    package var maxRequests: Int?
    /// How long one request may run before its worker is killed (`--request-timeout`).
    package var requestTimeout: Duration?
    /// The arguments after PROGRAM.
    package var arguments: [String]
    /// The workers' environment, without the `FCGI_` variables the manager adds.
    package var environment: [String: String]
    /// The folder the workers run in.
    package var workingDirectory: String

    /// Settings from their parts.
    package init(
        workers: Int, maxRequests: Int?, requestTimeout: Duration?, arguments: [String], environment: [String: String],
        workingDirectory: String
    ) {
        self.workers = workers
        self.maxRequests = maxRequests
        self.requestTimeout = requestTimeout
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    /// How long a draining worker (SIGTERM, SIGHUP, recycling) may take to finish before it is
    /// killed: the request timeout, or 30 s without one.
    package var drainGrace: Duration { requestTimeout ?? .seconds(30) }

    /// The environment a worker starts with: the configured one, `FCGI_STATUS_FD=3` (the status
    /// pipe, see ``WorkerStatus``) and `FCGI_MAX_REQUESTS` when recycling is on.
    package var workerEnvironment: [String: String] {
        var environment = environment
        environment["FCGI_STATUS_FD"] = "3"
        if let maxRequests { environment["FCGI_MAX_REQUESTS"] = String(maxRequests) }
        return environment
    }
}
