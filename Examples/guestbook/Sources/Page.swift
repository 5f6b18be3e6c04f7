import CGI

/// The guestbook's HTML pages: one layout, escaped text everywhere (``HTML/escape(_:)``).
struct Page {
    /// The page's title (plain text; escaped here).
    var title: String
    /// The page's body, already HTML.
    var content: String
    /// The URL of the guestbook's main page (the script's name).
    var base: String
    /// The message shown once at the top (plain text; escaped here).
    var flash: String?

    /// The whole document.
    var html: String {
        let notice = flash.map { "<p class=\"flash\" id=\"flash\">\(HTML.escape($0))</p>" } ?? ""
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>\(HTML.escape(title))</title>
            <link rel="stylesheet" href="/style.css">
            <link rel="alternate" type="application/atom+xml" title="Guestbook" href="\(HTML.escape(base))/feed.atom">
            </head>
            <body>
            <h1><a href="\(HTML.escape(base))/">Guestbook</a></h1>
            \(notice)
            \(content)
            <p><a href="\(HTML.escape(base))/feed.atom">Atom feed</a> · <a href="\(HTML.escape(base))/api/entries">JSON</a> ·
            <a href="\(HTML.escape(base))/admin">Admin</a> · <a href="/">All examples</a></p>
            </body>
            </html>
            """
    }

    /// The page as a response with `status`.
    func response(status: Int = 200) -> Response {
        var response = Response(status: status, body: html)
        response.headers["Cache-Control"] = "no-store"
        return response
    }
}
