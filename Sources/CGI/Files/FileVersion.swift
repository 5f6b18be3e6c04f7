/// What identifies one version of a file for HTTP caching: its size and modification time,
/// and the validators made of them (RFC 9110 §8.8).
struct FileVersion {
    /// The size in bytes.
    var size: Int
    /// The modification time in seconds since 1970.
    var modified: Int
    /// The nanoseconds of the modification time.
    var modifiedNanoseconds: Int

    /// A strong entity tag: the size and the modification time in nanoseconds, in hexadecimal.
    var etag: String {
        "\"\(String(size, radix: 16))-\(String(modified, radix: 16))-\(String(modifiedNanoseconds, radix: 16))\""
    }

    /// Whether a conditional GET or HEAD with these request headers gets 304: `If-None-Match`
    /// lists this ETag (weak comparison) or is `*`; without it, `If-Modified-Since` is a valid
    /// date no older than the modification time (RFC 9110 §13.1.3, §13.2.2).
    func isNotModified(for headers: RequestHeaders) -> Bool {
        if let noneMatch = headers["If-None-Match"] {
            return noneMatch.split(separator: ",").contains { tag in
                let tag = tag.trimmingWhitespace()
                return tag == "*" || (tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag) == etag
            }
        }
        guard let since = headers["If-Modified-Since"].flatMap(HTTPDate.parse) else { return false }
        return modified <= since
    }

    /// Whether a `Range` applies given the request's `If-Range`: with none, or with this ETag
    /// or this exact modification date (RFC 9110 §13.1.5).
    func matchesIfRange(_ ifRange: String?) -> Bool {
        guard let ifRange = ifRange?.trimmingWhitespace() else { return true }
        return ifRange == etag || ifRange == HTTPDate.format(modified)
    }
}
