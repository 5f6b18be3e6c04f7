import CGIAdmin
import CGICore

extension StatusReport {
    /// The report as one JSON object (`/status?format=json`): counts as integers, durations in
    /// seconds, a percentile without requests as `null`.
    var json: String {
        let object = StatusJSON.object
        let array = StatusJSON.array
        let number = StatusJSON.number
        let counts = StatusJSON.counts
        let responderItems = responders.map { row in
            object([
                ("responder", JSONString.quoted(row.kind.rawValue)), ("requests", "\(row.requests)"),
                ("status_classes", counts(row.byStatusClass)),
                (
                    "latency_seconds",
                    object([("p50", number(row.latency.p50)), ("p90", number(row.latency.p90)), ("p99", number(row.latency.p99))])
                ),
            ])
        }
        let poolItems = pools.map { pool in
            object([
                ("pool", JSONString.quoted(pool.name)), ("busy", "\(pool.busy)"), ("idle", "\(pool.idle)"),
                ("restarts", "\(pool.restarts)"), ("recycles", "\(pool.recycles)"), ("retries", "\(pool.retries)"),
                ("overloaded", "\(pool.overloaded)"),
            ])
        }
        let errorItems = recentErrors.map { error in
            object([
                ("time", JSONString.quoted(AccessLogFormat.isoTime(error.time))),
                ("request_id", JSONString.quoted(error.requestID)), ("status", "\(error.status)"),
                ("responder", JSONString.quoted(error.responder.rawValue)), ("path", JSONString.quoted(error.path)),
                ("reason", JSONString.quoted(error.reason)),
            ])
        }
        return object([
            ("uptime_seconds", number(uptimeSeconds)), ("requests_total", "\(requests)"),
            ("requests_per_second", number(requestsPerSecond)), ("open_connections", "\(openConnections)"),
            ("responders", array(responderItems)),
            (
                "scripts",
                object([
                    ("running", "\(scriptsRunning)"), ("queued", "\(scriptsQueued)"), ("started", "\(scriptsStarted)"),
                    ("timed_out", "\(scriptsTimedOut)"), ("stopped", "\(scriptsStopped)"), ("crashed", counts(scriptsCrashed)),
                ])
            ),
            (
                "compile_cache",
                object([
                    ("hits", "\(compileCacheHits)"), ("misses", "\(compileCacheMisses)"), ("failures", "\(compileFailures)"),
                ])
            ),
            ("spool", object([("bytes", "\(spoolBytes)"), ("limit_bytes", "\(spoolLimitBytes)")])),
            ("pools", array(poolItems)), ("recent_errors", array(errorItems)),
        ]) + "\n"
    }
}
