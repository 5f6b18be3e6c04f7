/// The names of the server's metrics and their help texts, following Prometheus' naming rules:
/// base units (seconds, bytes), `_total` for counters, no label with unbounded values (no URL,
/// no script name; the signal that ended a script is one of a few dozen).
enum MetricName: String, CaseIterable {
    case requests = "cgi_server_requests_total"
    case requestDuration = "cgi_server_request_duration_seconds"
    case receivedBytes = "cgi_server_request_body_received_bytes_total"
    case sentBytes = "cgi_server_response_body_sent_bytes_total"
    case openConnections = "cgi_server_open_connections"
    case scriptsStarted = "cgi_server_scripts_started_total"
    case scriptsRunning = "cgi_server_scripts_running"
    case scriptsQueued = "cgi_server_scripts_queued"
    case scriptsTimedOut = "cgi_server_scripts_timed_out_total"
    case scriptsStopped = "cgi_server_scripts_stopped_total"
    case scriptsCrashed = "cgi_server_scripts_crashed_total"
    case spawnDuration = "cgi_server_script_spawn_duration_seconds"
    case compileDuration = "cgi_server_script_compile_duration_seconds"
    case compileCacheHits = "cgi_server_compile_cache_hits_total"
    case compileCacheMisses = "cgi_server_compile_cache_misses_total"
    case compileFailures = "cgi_server_compile_failures_total"
    case spoolBytes = "cgi_server_request_body_spool_bytes"
    case spoolLimitBytes = "cgi_server_request_body_spool_limit_bytes"
    case poolWorkers = "cgi_server_pool_workers"
    case poolRestarts = "cgi_server_pool_worker_restarts_total"
    case poolRecycles = "cgi_server_pool_worker_recycles_total"
    case poolRetries = "cgi_server_pool_retries_total"
    case poolOverloaded = "cgi_server_pool_overloaded_total"
    case poolConnections = "cgi_server_pool_connections_total"

    /// The `# HELP` line's text.
    var help: String {
        switch self {
        case .requests: "Responses sent, by responder and status class."
        case .requestDuration: "Time from a request's head to the end of its response, by responder."
        case .receivedBytes: "Request body bytes received."
        case .sentBytes: "Response body bytes sent."
        case .openConnections: "Client connections open now."
        case .scriptsStarted: "CGI script processes started."
        case .scriptsRunning: "CGI scripts holding a script slot now."
        case .scriptsQueued: "Requests waiting for a script slot now."
        case .scriptsTimedOut: "Scripts silent for longer than the script timeout."
        case .scriptsStopped: "Scripts the server stopped (SIGTERM, then SIGKILL): timeouts, clients gone, responses ended early."
        case .scriptsCrashed: "Scripts that ended by a signal the server did not send, by signal."
        case .spawnDuration: "Time posix_spawn took to start a script."
        case .compileDuration: "Time swiftc took to compile a .swift script."
        case .compileCacheHits: ".swift script requests served from the compile cache."
        case .compileCacheMisses: ".swift script requests that compiled the script."
        case .compileFailures: ".swift script requests whose script could not be compiled."
        case .spoolBytes: "Bytes of request bodies held (memory and temporary files) before their scripts start."
        case .spoolLimitBytes: "Most bytes the request-body spool may hold (--max-spool)."
        case .poolWorkers: "Resident-script workers, by pool and state (busy, idle)."
        case .poolRestarts: "Resident-script workers started again after they ended, by pool."
        case .poolRecycles: "Resident-script workers replaced after their request limit, by pool."
        case .poolRetries: "Requests sent again to another worker of the pool, by pool."
        case .poolOverloaded: "Requests a pool answered as overloaded, by pool."
        case .poolConnections: "Connections made to a pool's workers (requests on kept connections make none), by pool."
        }
    }
}
