/// The names of `cgi fastcgi --admin`'s metrics and their help texts, following Prometheus'
/// naming rules: base units (seconds, bytes), `_total` for counters, and labels with few values:
/// a process state, or a worker's `slot` (`0` to `--workers` − 1, never a pid).
enum PoolMetricName: String, CaseIterable {
    case acceptedRequests = "cgi_fastcgi_accepted_requests_total"
    case maxChildrenReached = "cgi_fastcgi_max_children_reached_total"
    case listenQueue = "cgi_fastcgi_listen_queue"
    case listenQueueMax = "cgi_fastcgi_listen_queue_max"
    case listenQueueLength = "cgi_fastcgi_listen_queue_length"
    case processes = "cgi_fastcgi_processes"
    case maxChildren = "cgi_fastcgi_max_children"
    case workerRequests = "cgi_fastcgi_worker_requests"
    case workerBusy = "cgi_fastcgi_worker_busy"
    case workerRequestDuration = "cgi_fastcgi_worker_request_duration_seconds"
    case workerResidentMemory = "cgi_fastcgi_worker_resident_memory_bytes"
    case workerStartTime = "cgi_fastcgi_worker_start_time_seconds"

    /// The `# HELP` line's text.
    var help: String {
        switch self {
        case .acceptedRequests:
            "Requests the workers began, from their status pipes (the manager does not accept connections itself; like PHP-FPM's accepted conn, this counts requests)."
        case .maxChildrenReached:
            "Times a request began and left no worker idle (seen at the manager's 0.1 s status reads; several in one read count once)."
        case .listenQueue: "Connections waiting in the listening socket's accept queue now."
        case .listenQueueMax: "Most connections seen waiting in the accept queue since start-up."
        case .listenQueueLength: "Most connections the accept queue may hold (the listen backlog)."
        case .processes: "Worker processes now, by state (idle, busy, draining)."
        case .maxChildren: "Workers the pool keeps (--workers)."
        case .workerRequests:
            "Requests the worker in this slot has begun since it started (0 again when a new worker takes the slot)."
        case .workerBusy: "1 while the worker in this slot is in a request, else 0."
        case .workerRequestDuration:
            "The worker's request in progress so far, or else its last request, at the 0.1 s resolution of the status reads."
        case .workerResidentMemory: "The worker's resident set size (/proc/PID/statm); 0 for an empty slot."
        case .workerStartTime: "When the worker in this slot started, in seconds since 1970; 0 for an empty slot."
        }
    }
}
