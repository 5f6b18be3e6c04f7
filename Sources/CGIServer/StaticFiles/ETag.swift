import CGICore

/// A strong entity tag for a static file, derived from its identity, size and modification time.
///
/// Any edit to the file (new inode, size or nanosecond mtime) gives a new tag.
struct ETag: Equatable, Sendable {
    /// The tag with its quotes, as sent in the `ETag` header, e.g. `"1a2b-400-17f0c3d2e1"`.
    var quoted: String

    init(inode: UInt64, size: Int, modifiedNanoseconds: Int) {
        quoted = ASCIIText.make(capacity: 3 * 16 + 4) { text in
            text.append("\"")
            text.appendHex(inode)
            text.append("-")
            text.appendHex(UInt64(truncatingIfNeeded: size))
            text.append("-")
            text.appendHex(UInt64(truncatingIfNeeded: modifiedNanoseconds))
            text.append("\"")
        }
    }

    /// Whether an `If-None-Match` value matches this tag: `*`, or a list containing it (weak comparison).
    func matchesAny(ofList header: String) -> Bool {
        header.split(separator: ",").contains { item in
            let tag = item.trimmingWhitespace()
            if tag == "*" { return true }
            let strong = tag.hasPrefix("W/") ? tag.dropFirst(2) : tag[...]
            return strong == quoted[...]
        }
    }

    /// Whether an `If-Range` value names exactly this tag (strong comparison).
    func matchesStrongly(_ header: String) -> Bool {
        header.trimmingWhitespace() == quoted
    }
}
