import CGIGateway

/// A request target split into its raw path and query, with the path decoded once and normalized
/// (``CGIGateway/RequestPath``), so that the script-or-file decision and the file lookup use the same form.
struct RequestTarget: Sendable {
    /// The path exactly as sent (still percent-encoded), e.g. `/cgi-bin/probe.cgi/a%20b`.
    var rawPath: String
    /// The query without its `?`, exactly as sent; empty when there is none.
    var rawQuery: String
    /// The authority of an absolute-form target (`http://host:port/…`), which wins over `Host`.
    var authority: String?
    /// The decoded, normalized path.
    var path: RequestPath

    /// Parses an origin-form (`/a/b?x`) or absolute-form (`http://host/a/b?x`) target. A
    /// `#fragment` (which clients should not send) is not part of the path or the query.
    init(_ target: String) throws(ScriptResolverError) {
        var rest = Substring(target)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        for scheme in Self.schemes where rest.utf8.first != UInt8(ascii: "/") && rest.prefix(scheme.count).lowercased() == scheme
        {
            let authorityAndPath = rest.dropFirst(scheme.count)
            let slash = authorityAndPath.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? authorityAndPath.endIndex
            authority = String(authorityAndPath[..<slash])
            rest = authorityAndPath[slash...]
            if !rest.hasPrefix("/") { rest = "/" + rest }
        }
        let questionMark = rest.utf8.firstIndex(of: UInt8(ascii: "?"))
        rawPath = String(rest[..<(questionMark ?? rest.endIndex)])
        rawQuery = questionMark.map { String(rest[rest.utf8.index(after: $0)...]) } ?? ""
        path = try RequestPath(percentEncoded: rawPath)
    }

    private static let schemes = ["http://", "https://"]
}
