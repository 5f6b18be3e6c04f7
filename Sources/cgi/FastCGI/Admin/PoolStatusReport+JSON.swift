import CGIAdmin

extension PoolStatusReport {
    /// The report as one JSON object (`/status?format=json`): counts as integers, times in
    /// seconds (start times since 1970), what the system cannot tell as `null`.
    var json: String {
        let object = StatusJSON.object
        let integer = StatusJSON.integer(_:) as (Int?) -> String
        let workerItems = workers.map { worker in
            object([
                ("slot", integer(worker.slot)), ("pid", "\(worker.pid)"), ("state", StatusJSON.string(worker.state.rawValue)),
                ("requests", "\(worker.requests)"),
                ("request_duration_seconds", StatusJSON.number(worker.requestDurationSeconds)),
                ("rss_bytes", integer(worker.residentBytes)), ("start_time", StatusJSON.number(worker.startTime)),
            ])
        }
        return object([
            ("program", StatusJSON.string(program)), ("listen", StatusJSON.string(listen)),
            ("start_time", StatusJSON.number(startTime)), ("uptime_seconds", StatusJSON.number(uptimeSeconds)),
            ("accepted_requests", "\(acceptedRequests)"), ("listen_queue", integer(listenQueue)),
            ("max_listen_queue", integer(listenQueueMax)), ("listen_queue_length", integer(listenQueueLength)),
            ("idle_processes", "\(idle)"), ("active_processes", "\(active)"), ("draining_processes", "\(draining)"),
            ("total_processes", "\(total)"), ("max_children", "\(maxChildren)"),
            ("max_children_reached", "\(maxChildrenReached)"), ("workers", StatusJSON.array(workerItems)),
        ]) + "\n"
    }
}
