/// The source lines around a line of a file, for an error report.
struct SourceExcerpt {
    /// The line the report is about.
    var line: Int
    /// The lines shown, each with its number, in order.
    var lines: [(number: Int, text: String)]

    /// Reads the lines from `line - context` to `line + context` of `path`; nil when the
    /// file cannot be read or is shorter than `line`.
    init?(path: String, line: Int, context: Int) {
        guard line > 0, let bytes = try? WholeFile.read(path) else { return nil }
        let all = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard line <= all.count else { return nil }
        let range = max(1, line - context)...min(all.count, line + context)
        self.line = line
        lines = range.map { ($0, String(decoding: all[$0 - 1], as: UTF8.self)) }
    }

    /// The lines as text, each with its number; `=>` marks ``line``.
    var text: String {
        lines.map { (number, text) in (number == line ? "=> " : "   ") + String(number) + "  " + text + "\n" }.joined()
    }
}
