import Glibc

/// Everything known about one failure of a script: what went wrong, where, the call stack,
/// the source around the failing line and the request, ready to render as text (for report
/// files) or HTML (for the browser during development).
struct ErrorReport {
    /// The report's reference.
    var id: ReportID
    /// The error's type, such as `Shop.OrderError`.
    var typeName: String
    /// The error's description.
    var message: String
    /// Where the error was thrown (`Module/File.swift:12 in checkout()`), when known.
    var location: String?
    /// The source lines around ``location``, when the file is readable.
    var source: SourceExcerpt?
    /// The call stack, innermost first.
    var frames: [Backtrace.Frame]
    /// Where the backtrace was taken.
    var backtraceOrigin: String
    /// The request the script was answering.
    var request: RequestSummary
    /// Whether part of the response had already been sent when the error arrived.
    var responseStarted: Bool
    /// The executable's path and process id.
    var program: String

    /// Builds the report of an error thrown by a script. A ``ReportableError`` contributes
    /// its location, source lines and backtrace; for any other error the backtrace is the
    /// one where the error was caught, and in development (a ``ErrorReporting/display`` other
    /// than `none`) the location and source lines are those of the `throw`, when the runtime's
    /// throw hook recorded it (``ThrowSite``) and line tables tell.
    init(error: any Error, id: ReportID, request: RequestSummary, responseStarted: Bool, reporting: ErrorReporting) {
        self.id = id
        self.request = request
        self.responseStarted = responseStarted
        program = Self.programDescription()
        if let located = error as? ReportableError {
            typeName = String(reflecting: type(of: located.underlying))
            message = String(describing: located.underlying)
            location = "\(located.fileID):\(located.line) in \(located.function)"
            source = SourceExcerpt(path: located.filePath, line: located.line, context: reporting.contextLines)
            frames = located.backtrace.symbolicated()
            backtraceOrigin = "where the ReportableError was created"
        } else {
            typeName = String(reflecting: type(of: error))
            message = String(describing: error)
            frames = Backtrace.capture(skipping: 2).symbolicated()
            // Line tables are read by a symbolizer process (tens of milliseconds): only when a
            // developer waits for the report on the page, never for a production request.
            let thrown =
                reporting.display == .none ? nil : ThrowSite.find(for: error)?.source(contextLines: reporting.contextLines)
            if let thrown, let position = thrown.position {
                let file = position.file.split(separator: "/").last.map(String.init) ?? position.file
                location = "\(file):\(position.line) in \(SwiftDemangler.demangle(position.function))"
                source = thrown.excerpt
                backtraceOrigin = "where CGI.run caught the error"
            } else {
                location = nil
                source = nil
                backtraceOrigin =
                    "where CGI.run caught the error (wrap it in ReportableError to record where it was thrown)"
            }
        }
    }

    /// The one line for the server's error log. Line breaks in the message are escaped, so
    /// a message that quotes request data cannot forge log lines.
    var summary: String {
        let place = location.map { " at \($0)" } ?? ""
        let line = "CGI error \(id): \(typeName): \(message)\(place)"
        var escaped = ""
        for scalar in line.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// The report as plain text.
    var text: String {
        var out = "Error report \(id)\n\(program)\n\n\(typeName): \(message)\n"
        if let location { out += "Thrown at \(location)\n" }
        if responseStarted { out += "Part of the response had already been sent.\n" }
        if let source { out += "\n" + source.text }
        out += "\nBacktrace (\(backtraceOrigin)):\n"
        out += frames.enumerated().map { "\($0.offset)  \($0.element)" }.joined(separator: "\n") + "\n"
        out += "\nRequest:\n" + request.text
        return out
    }

    /// The report as an HTML fragment (a `<section>`), every value escaped.
    var html: String {
        var out = "<section class=\"cgi-error-report\">\n<h1>\(HTML.escape(typeName))</h1>\n"
        out += "<p class=\"message\">\(HTML.escape(message))</p>\n"
        if let location { out += "<p>Thrown at <code>\(HTML.escape(location))</code></p>\n" }
        if responseStarted { out += "<p>Part of the response had already been sent.</p>\n" }
        if let source {
            out += "<pre class=\"source\">"
            for (number, line) in source.lines {
                let text = HTML.escape("\(number)  \(line)")
                out += number == source.line ? "<strong>=&gt; \(text)</strong>\n" : "   \(text)\n"
            }
            out += "</pre>\n"
        }
        out += "<h2>Backtrace</h2>\n<p>\(HTML.escape("Taken " + backtraceOrigin)).</p>\n<ol start=\"0\">\n"
        out += frames.map { "<li><code>\(HTML.escape($0.description))</code></li>\n" }.joined()
        out += "</ol>\n<h2>Request</h2>\n" + request.html
        out += "<p>Reference <code>\(HTML.escape(id.description))</code>, \(HTML.escape(program))</p>\n</section>\n"
        return out
    }

    /// The executable's path (from `/proc/self/exe`) and the process id.
    static func programDescription() -> String { program }

    /// Read once: a resident (FastCGI) process prepares a crash report for every request.
    private static let program: String = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let path = count > 0 ? String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        return "\(path) (process \(getpid()))"
    }()
}
