/// What happens when a script fails: Python's `cgitb.enable(display:logdir:format:)` for
/// `CGI.run`.
///
/// Every failure (a thrown error or a crash) gets a ``ReportID`` and a one-line summary on
/// standard error, which the server writes to its error log. Beyond that:
/// - ``display`` decides what the visitor sees. ``Display/none`` (the default) sends a plain
///   500 page with the reference only, so nothing about the script leaks; the others send the
///   whole report, for development.
/// - ``logDirectory`` keeps each report in its own file `<reference>.txt`, readable by the
///   script's user alone (mode 0600).
///
/// ```swift
/// CGI.run(reporting: ErrorReporting(display: .html, logDirectory: "/var/log/cgi-reports")) { request in
///     …
/// }
/// ```
public struct ErrorReporting: Sendable, Equatable {
    /// How a report reaches the browser.
    public enum Display: Sendable, Equatable {
        /// A plain error page with the reference only (production).
        case none
        /// The whole report as an HTML page.
        case html
        /// The whole report as plain text.
        case text
    }

    /// How a report reaches the browser.
    public var display: Display
    /// The folder that receives one file per report, or nil for no report files.
    public var logDirectory: String?
    /// Form fields, cookies and query parameters whose name contains one of these words
    /// (ignoring case) are listed with their value hidden.
    public var hiddenNames: [String]
    /// How many source lines a report shows before and after the failing one.
    public var contextLines: Int

    /// The words that mark a value as secret by default.
    public static let defaultHiddenNames = ["password", "passwd", "secret", "token", "key", "auth", "session", "csrf"]

    /// Creates reporting options.
    public init(
        display: Display = .none, logDirectory: String? = nil, hiddenNames: [String] = defaultHiddenNames,
        contextLines: Int = 5
    ) {
        self.display = display
        self.logDirectory = logDirectory
        self.hiddenNames = hiddenNames
        self.contextLines = contextLines
    }

    /// For production: the visitor sees the reference only.
    public static let production = ErrorReporting()
    /// For development: the whole report in the browser.
    public static let development = ErrorReporting(display: .html)

    /// The options the environment asks for, starting from ``production``:
    /// `CGI_DEBUG=1` (or `true`, `yes`, `html`) shows reports in the browser as HTML,
    /// `CGI_DEBUG=text` as plain text; `CGI_ERROR_LOG_DIR` names the report folder.
    /// `cgi-server --dev` sets `CGI_DEBUG=1` for every script; otherwise the server passes
    /// these on only when told to (`--set-env CGI_DEBUG=1`).
    public static func fromEnvironment(_ environment: [String: String]) -> ErrorReporting {
        var reporting = ErrorReporting.production
        switch environment["CGI_DEBUG"]?.lowercased() {
        case "1", "true", "yes", "on", "html": reporting.display = .html
        case "text": reporting.display = .text
        default: break
        }
        if let folder = environment["CGI_ERROR_LOG_DIR"], !folder.isEmpty { reporting.logDirectory = folder }
        return reporting
    }

    /// What replaces a hidden value.
    static let hiddenValue = "(hidden)"

    /// Whether the field, cookie or parameter `name` holds a secret under these options.
    func hides(_ name: String) -> Bool {
        // Compared as bytes: String.contains(String) comes from _StringProcessing, whose first
        // use costs every script start-up time (the summary is prepared before the handler runs).
        if name.utf8.allSatisfy({ $0 < 0x80 }) && hiddenNames.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) {
            return hiddenNames.contains { Self.containsIgnoringASCIICase(name.utf8, $0.utf8) }
        }
        let lowered = Array(name.lowercased().utf8)
        return hiddenNames.contains { hidden in
            let part = Array(hidden.lowercased().utf8)
            guard !part.isEmpty, part.count <= lowered.count else { return false }
            return (0...lowered.count - part.count).contains { lowered[$0..<$0 + part.count].elementsEqual(part) }
        }
    }

    /// Whether `text` contains `part` (not empty), ASCII letters compared ignoring case. For
    /// ASCII this is what comparing the lowercased strings gives, without making them:
    /// ``hides(_:)`` runs for every field and query parameter at start-up.
    private static func containsIgnoringASCIICase(_ text: String.UTF8View, _ part: String.UTF8View) -> Bool {
        func lowered(_ byte: UInt8) -> UInt8 {
            byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
        }
        guard !part.isEmpty, part.count <= text.count else { return false }
        var start = text.startIndex
        for _ in 0...(text.count - part.count) {
            if zip(text[start...], part).allSatisfy({ lowered($0) == lowered($1) }) { return true }
            text.formIndex(after: &start)
        }
        return false
    }

    /// A query string with the value of every secret parameter replaced by ``hiddenValue``.
    func redacting(query: String) -> String {
        // A scan over the bytes rather than split/map/joined: every CGI.run start-up redacts
        // the query (the crash report is prepared before the handler runs), and the generic
        // collection algorithms cost more in first-use type metadata than the work itself.
        let bytes = Array(query.utf8)
        var redacted: [UInt8] = []
        redacted.reserveCapacity(bytes.count)
        var pairStart = 0
        while true {
            var pairEnd = pairStart
            while pairEnd < bytes.count && bytes[pairEnd] != UInt8(ascii: "&") { pairEnd += 1 }
            var equals = pairStart
            while equals < pairEnd && bytes[equals] != UInt8(ascii: "=") { equals += 1 }
            if equals < pairEnd,
                hides(String(decoding: PercentEncoding.decode(bytes[pairStart..<equals], plusAsSpace: true), as: UTF8.self))
            {
                redacted += bytes[pairStart...equals]
                redacted += Self.hiddenValue.utf8
            } else {
                redacted += bytes[pairStart..<pairEnd]
            }
            if pairEnd == bytes.count { break }
            redacted.append(UInt8(ascii: "&"))
            pairStart = pairEnd + 1
        }
        return String(decoding: redacted, as: UTF8.self)
    }

    /// The value of the environment variable `name` as a report or the diagnostics page may
    /// show it: secret-looking variables hidden, secret query parameters hidden in
    /// QUERY_STRING and REQUEST_URI, and cookie values (usually session keys) hidden.
    func redacting(variable name: String, value: String) -> String {
        switch name {
        case _ where hides(name):
            return Self.hiddenValue
        case "QUERY_STRING":
            return redacting(query: value)
        case "REQUEST_URI":
            guard let mark = value.firstIndex(of: "?") else { return value }
            return value[...mark] + redacting(query: String(value[value.index(after: mark)...]))
        case "HTTP_COOKIE":
            return value.split(separator: ";").map { $0.prefix { $0 != "=" } + "=" + Self.hiddenValue }
                .joined(separator: ";")
        default:
            return value
        }
    }
}
