import CGICore
import NIOCore
import NIOHTTP1

/// The small HTML page sent with every status the server produces itself (403, 404, 502, 504…).
enum StatusPage {
    /// A response with `status` and a short page; `detail` (already meant for the client) is escaped into it,
    /// `listing` (lines of text such as a compiler's messages) escaped into a `<pre>` block after it, and
    /// `reference` (the request id the error log names) last, for the visitor to quote.
    static func response(
        _ status: HTTPResponseStatus, detail: String? = nil, listing: String? = nil, reference: RequestID? = nil,
        headers extra: HTTPHeaders = [:]
    ) -> ServerResponse {
        let title = "\(status.code) \(status.reasonPhrase)"
        var html = "<!DOCTYPE html>\n<html><head><title>\(title)</title></head>\n<body><h1>\(title)</h1>\n"
        if let detail { html += "<p>\(HTML.escape(detail))</p>\n" }
        if let listing { html += "<pre>\(HTML.escape(listing))</pre>\n" }
        if let reference { html += "<p>Reference: <code>\(reference)</code></p>\n" }
        html += "</body></html>\n"
        var headers = extra
        headers.replaceOrAdd(name: "Content-Type", value: "text/html; charset=utf-8")
        headers.replaceOrAdd(name: "Content-Length", value: String(html.utf8.count))
        return ServerResponse(status: status, headers: headers, body: .bytes(ByteBuffer(string: html)))
    }
}
