import CGIAdmin
import CGICore

extension PoolStatusReport {
    /// The report as a page that reloads itself (`/status`), in the frame of cgi-server's.
    var html: String {
        let cell = AdminStatusPage.cell
        let tile = AdminStatusPage.tile
        func known(_ value: Int?) -> String { value.map { "\($0)" } ?? "–" }
        var page = "<p><code>\(HTML.escape(program))</code> on <code>\(HTML.escape(listen))</code></p>\n"
        page += "<div class=\"tiles\">"
        page += tile("accepted requests", "\(acceptedRequests)")
        page += tile("active processes", "\(active)")
        page += tile("idle processes", "\(idle)")
        page += tile("total processes", "\(total)")
        page += tile("listen queue", known(listenQueue))
        page += tile("max listen queue", known(listenQueueMax))
        page += tile("max children reached", "\(maxChildrenReached)")
        page += tile("uptime", AdminStatusPage.uptimeText(uptimeSeconds))
        page += "</div>\n<h2>Pool</h2>\n<table>"
        page += AdminStatusPage.headerRow(["max children", "draining processes", "listen queue length"])
        page += "<tr>" + cell("\(maxChildren)") + cell("\(draining)") + cell(known(listenQueueLength)) + "</tr></table>\n"
        page += "<h2>Workers</h2>\n"
        if workers.isEmpty {
            page += "<p class=\"none\">No workers running.</p>\n"
        } else {
            page += "<table>"
            page += AdminStatusPage.headerRow(["slot", "pid", "state", "requests", "request duration (ms)", "RSS (KiB)", "up"])
            for worker in workers {
                page += "<tr>" + cell(worker.slot.map { "\($0)" } ?? "–") + cell("\(worker.pid)") + cell(worker.state.rawValue)
                page += cell("\(worker.requests)") + cell(AdminStatusPage.milliseconds(worker.requestDurationSeconds))
                page += cell(worker.residentBytes.map { "\($0 / 1024)" } ?? "–")
                page += cell(AdminStatusPage.uptimeText(worker.uptimeSeconds)) + "</tr>\n"
            }
            page += "</table>\n"
        }
        page += "<p class=\"none\">Request durations are seen at the manager's 0.1 s status reads.</p>\n"
        return AdminStatusPage.document(title: "cgi fastcgi status", body: page)
    }
}
