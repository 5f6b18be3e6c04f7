import Glibc

/// What line tables tell about a crash: the runtime check that failed, when one did, and the
/// source lines around the innermost position in a file that can be read.
struct CrashSource {
    /// The failed check's message ("Index out of range"), or nil.
    var failure: String?
    /// The innermost position in a source file, or nil.
    var position: LineTables.Position?
    /// The lines around ``position``, when its file can be read.
    var excerpt: SourceExcerpt?

    /// Picks the failure and the position from the frames' positions (innermost frame first,
    /// each frame's positions innermost first).
    init(positions: [[LineTables.Position]], contextLines: Int) {
        let all = positions.joined()
        failure = all.lazy.compactMap(\.runtimeFailure).first
        position =
            all.first { $0.isInSource && access($0.file, R_OK) == 0 }
            ?? all.first(where: \.isInSource)
        excerpt = position.flatMap { SourceExcerpt(path: $0.file, line: $0.line, context: contextLines) }
    }

    /// The failure, the position and the source lines as text (empty when line tables told
    /// nothing).
    var text: String {
        var out = ""
        if let failure { out += "\nThe check that failed: \(failure)\n" }
        if let position {
            if failure == nil { out += "\n" }
            out += "At \(position.file):\(position.line) in \(SwiftDemangler.demangle(position.function))\n"
        }
        if let excerpt { out += excerpt.text }
        return out
    }
}
