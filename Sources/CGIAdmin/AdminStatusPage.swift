import CGICore

/// The frame and pieces of an admin status page (`/status`), shared by `cgi-server` and
/// `cgi fastcgi` so both look alike: a page that reloads itself every ``refreshSeconds``, tiles
/// for the headline numbers, tables for the rest. Every text is HTML-escaped here.
package enum AdminStatusPage {
    /// How often a status page reloads itself, in seconds.
    package static let refreshSeconds = 2

    /// A whole page titled `title` around `body` (HTML), with the links to the JSON and metrics forms at its end.
    package static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="refresh" content="\(refreshSeconds)">
        <title>\(HTML.escape(title))</title>
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
        <h1>\(HTML.escape(title))</h1>
        \(body)<p class="none">Also as <a href="/status?format=json">JSON</a> and <a href="/metrics">Prometheus metrics</a>.</p>
        </body></html>

        """
    }

    /// A headline number: `value` large, `label` (HTML) under it.
    package static func tile(_ label: String, _ value: String) -> String {
        "<div class=\"tile\"><div class=\"value\">\(HTML.escape(value))</div><div class=\"label\">\(label)</div></div>"
    }

    /// A table cell holding `text`.
    package static func cell(_ text: String) -> String { "<td>\(HTML.escape(text))</td>" }

    /// A table row of header cells (HTML).
    package static func headerRow(_ labels: [String]) -> String {
        "<tr>" + labels.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
    }

    /// `3d 4h`, `2h 5m`, `4m 12s`, `9s`.
    package static func uptimeText(_ seconds: Double) -> String {
        let total = Int(seconds)
        let (days, hours, minutes, rest) = (total / 86400, total / 3600 % 24, total / 60 % 60, total % 60)
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        if minutes > 0 { return "\(minutes)m \(rest)s" }
        return "\(rest)s"
    }

    /// Seconds as milliseconds with one decimal (two under 10 ms), or `–` for none.
    package static func milliseconds(_ seconds: Double?) -> String {
        guard let seconds else { return "–" }
        return decimal(seconds * 1000, digits: seconds < 0.01 ? 2 : 1)
    }

    /// `value` with `digits` decimals (no Foundation: rounded by hand).
    package static func decimal(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((value * scale).rounded())
        let whole = scaled / Int64(scale)
        let fraction = String(scaled % Int64(scale))
        return "\(whole)." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
}
