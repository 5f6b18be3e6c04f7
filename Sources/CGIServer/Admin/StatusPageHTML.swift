import CGICore

extension StatusReport {
    /// How often the status page reloads itself, in seconds.
    static let refreshSeconds = 2

    /// The report as an HTML page that reloads itself (`/status`).
    var html: String {
        func milliseconds(_ seconds: Double?) -> String {
            guard let seconds else { return "–" }
            return decimal(seconds * 1000, digits: seconds < 0.01 ? 2 : 1)
        }
        func cell(_ text: String) -> String { "<td>\(HTML.escape(text))</td>" }
        func tile(_ label: String, _ value: String) -> String {
            "<div class=\"tile\"><div class=\"value\">\(HTML.escape(value))</div><div class=\"label\">\(label)</div></div>"
        }
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="refresh" content="\(Self.refreshSeconds)">
            <title>cgi-server status</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em 2em; color: #1d2330; background: #f6f7f9; }
            h1 { font-size: 1.4em; margin: 0 0 .8em; } h2 { font-size: 1.05em; margin: 1.4em 0 .5em; color: #3a4356; }
            .tiles { display: flex; gap: 1em; flex-wrap: wrap; }
            .tile { background: #fff; border: 1px solid #dde1e8; border-radius: 8px; padding: .7em 1.1em; min-width: 9em; }
            .tile .value { font-size: 1.6em; font-weight: 600; } .tile .label { color: #5b6578; font-size: .85em; }
            table { border-collapse: collapse; background: #fff; border: 1px solid #dde1e8; }
            th, td { padding: .35em .8em; border-bottom: 1px solid #eceff3; text-align: right; }
            th { background: #eef1f5; font-weight: 600; } td:first-child, th:first-child { text-align: left; }
            td.text { text-align: left; } code { font-size: .95em; } .none { color: #7a8396; font-style: italic; }
            .error { color: #b3261e; font-weight: 600; } table.errors td, table.errors th { text-align: left; }
            </style></head><body>
            <h1>cgi-server status</h1>

            """
        page += "<div class=\"tiles\">"
        page += tile("requests/s", decimal(requestsPerSecond, digits: 1))
        page += tile("requests", "\(requests)")
        page += tile("open connections", "\(openConnections)")
        page += tile("scripts running", "\(scriptsRunning)")
        page += tile("scripts queued", "\(scriptsQueued)")
        page += tile("uptime", Self.uptimeText(uptimeSeconds))
        page += "</div>\n<h2>Requests by responder (latency of the last \(TimerCell.window), ms)</h2>\n"
        page += "<table><tr><th>responder</th><th>requests</th>"
        page += StatusClass.allCases.map { "<th>\($0.label)</th>" }.joined()
        page += "<th>p50</th><th>p90</th><th>p99</th></tr>\n"
        for row in responders {
            page += "<tr>" + cell(row.kind.rawValue) + cell("\(row.requests)")
            page += StatusClass.allCases.map { cell("\(row.byStatusClass[$0.label] ?? 0)") }.joined()
            page += cell(milliseconds(row.latency.p50)) + cell(milliseconds(row.latency.p90))
            page += cell(milliseconds(row.latency.p99)) + "</tr>\n"
        }
        page += "</table>\n<h2>Scripts</h2>\n<table><tr><th>started</th><th>running</th><th>queued</th>"
        page += "<th>timed out</th><th>stopped</th><th>crashed</th></tr>\n<tr>"
        let crashes =
            scriptsCrashed.isEmpty
            ? "0" : scriptsCrashed.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        page += [scriptsStarted, Int64(scriptsRunning), Int64(scriptsQueued), scriptsTimedOut, scriptsStopped].map {
            cell("\($0)")
        }.joined()
        page += cell(crashes) + "</tr></table>\n"
        page += "<h2>Compile cache</h2>\n<table><tr><th>hits</th><th>misses (compiled)</th><th>failures</th></tr>\n<tr>"
        page += cell("\(compileCacheHits)") + cell("\(compileCacheMisses)") + cell("\(compileFailures)") + "</tr></table>\n"
        page += "<h2>Request-body spool</h2>\n<table><tr><th>bytes held</th><th>limit</th></tr>\n<tr>"
        page += cell("\(spoolBytes)") + cell("\(spoolLimitBytes)") + "</tr></table>\n"
        page += "<h2>Resident pools</h2>\n"
        if pools.isEmpty {
            page += "<p class=\"none\">No resident pools.</p>\n"
        } else {
            page += "<table><tr><th>pool</th><th>busy</th><th>idle</th><th>restarts</th><th>recycles</th>"
            page += "<th>retries</th><th>overloaded</th></tr>\n"
            for pool in pools {
                page += "<tr>" + cell(pool.name) + cell("\(pool.busy)") + cell("\(pool.idle)") + cell("\(pool.restarts)")
                page += cell("\(pool.recycles)") + cell("\(pool.retries)") + cell("\(pool.overloaded)") + "</tr>\n"
            }
            page += "</table>\n"
        }
        page += "<h2>Recent errors</h2>\n"
        if recentErrors.isEmpty {
            page += "<p class=\"none\">No server errors since start-up.</p>\n"
        } else {
            page +=
                "<table class=\"errors\"><tr><th>time (UTC)</th><th>reference</th><th>status</th><th>responder</th><th>path</th>"
            page += "<th>reason</th></tr>\n"
            for error in recentErrors {
                page += "<tr>" + cell(AccessLogFormat.isoTime(error.time)) + "<td class=\"text\"><code>"
                page += HTML.escape(error.requestID) + "</code></td><td class=\"error\">\(error.status)</td>"
                page += cell(error.responder.rawValue) + "<td class=\"text\">" + HTML.escape(error.path) + "</td>"
                page += "<td class=\"text\">" + HTML.escape(error.reason) + "</td></tr>\n"
            }
            page += "</table>\n"
        }
        page +=
            "<p class=\"none\">Also as <a href=\"/status?format=json\">JSON</a> and <a href=\"/metrics\">Prometheus metrics</a>.</p>\n"
        return page + "</body></html>\n"
    }

    /// `3d 4h`, `2h 5m`, `4m 12s`, `9s`.
    static func uptimeText(_ seconds: Double) -> String {
        let total = Int(seconds)
        let (days, hours, minutes, rest) = (total / 86400, total / 3600 % 24, total / 60 % 60, total % 60)
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        if minutes > 0 { return "\(minutes)m \(rest)s" }
        return "\(rest)s"
    }
}

/// `value` with `digits` decimals (no Foundation: rounded by hand).
private func decimal(_ value: Double, digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int64((value * scale).rounded())
    let whole = scaled / Int64(scale)
    let fraction = String(scaled % Int64(scale))
    return "\(whole)." + String(repeating: "0", count: digits - fraction.count) + fraction
}
