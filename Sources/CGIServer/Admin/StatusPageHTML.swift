import CGIAdmin
import CGICore

extension StatusReport {
    /// The report as an HTML page that reloads itself (`/status`).
    var html: String {
        let milliseconds = AdminStatusPage.milliseconds
        let cell = AdminStatusPage.cell
        let tile = AdminStatusPage.tile
        var page = ""
        page += "<div class=\"tiles\">"
        page += tile("requests/s", AdminStatusPage.decimal(requestsPerSecond, digits: 1))
        page += tile("requests", "\(requests)")
        page += tile("open connections", "\(openConnections)")
        page += tile("scripts running", "\(scriptsRunning)")
        page += tile("scripts queued", "\(scriptsQueued)")
        page += tile("uptime", AdminStatusPage.uptimeText(uptimeSeconds))
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
        return AdminStatusPage.document(title: "cgi-server status", body: page)
    }
}
