import CGI
import Glibc

/// The entries for machines: an Atom feed (RFC 4287) and `GET /api/entries` as JSON.
struct Feeds {
    let app: Guestbook

    /// GET /feed.atom: the newest page of visible entries.
    func atom(_ request: Request) async throws -> Response {
        let (entries, _) = try await app.database.page(1)
        let site = Self.origin(request) + request.scriptName
        let items = entries.map { entry in
            """
            <entry>
            <id>\(HTML.escape(site))/#entry-\(entry.id ?? 0)</id>
            <title>\(HTML.escape(entry.name))</title>
            <author><name>\(HTML.escape(entry.name))</name></author>
            <updated>\(Self.rfc3339(entry.updatedAt ?? entry.createdAt))</updated>
            <link href="\(HTML.escape(site))/#entry-\(entry.id ?? 0)"/>
            <content type="text">\(HTML.escape(entry.message))</content>
            </entry>
            """
        }
        let updated = entries.map { $0.updatedAt ?? $0.createdAt }.max() ?? 0
        let feed = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
            <id>\(HTML.escape(site))/</id>
            <title>Guestbook</title>
            <updated>\(Self.rfc3339(updated))</updated>
            <link rel="self" href="\(HTML.escape(site))/feed.atom"/>
            <link href="\(HTML.escape(site))/"/>
            \(items.joined(separator: "\n"))
            </feed>
            """
        return Response(contentType: "application/atom+xml; charset=utf-8", body: feed)
    }

    /// GET /api/entries?page=N: `{"page": N, "entries": [...], "next": URL or null}`.
    func json(_ request: Request) async throws -> Response {
        let page = max(1, Int(request.form["page"] ?? "") ?? 1)
        let (entries, hasMore) = try await app.database.page(page)
        let items: [JSON] = entries.map { entry in
            [
                "id": .integer(Int(entry.id ?? 0)), "name": .string(entry.name), "message": .string(entry.message),
                "created": .string(Self.rfc3339(entry.createdAt)),
                "image": entry.image.map { .string(request.scriptName + "/image/" + $0) } ?? .null,
            ]
        }
        let next: JSON = hasMore ? .string(request.scriptName + "/api/entries?page=\(page + 1)") : .null
        return .json(["page": .integer(page), "entries": .array(items), "next": next])
    }

    /// `http://host:port` as the client reached the server.
    static func origin(_ request: Request) -> String {
        let host = request.headers["Host"] ?? request.serverName ?? "localhost"
        return (request.https ? "https://" : "http://") + host
    }

    /// The time as RFC 3339 (`2026-01-02T03:04:05Z`), as Atom wants it.
    static func rfc3339(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
