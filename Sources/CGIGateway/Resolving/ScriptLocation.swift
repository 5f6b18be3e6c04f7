/// Where a request's script lives and how its URL splits around it (RFC 3875 §3.3, §4.1.5, §4.1.13).
public struct ScriptLocation: Sendable, Equatable {
    /// The script's absolute file path with symbolic links resolved (`SCRIPT_FILENAME`).
    public var scriptPath: String
    /// The decoded URL path that selected the script, never ending in `/` (`SCRIPT_NAME`),
    /// such as `/cgi-bin/a/b.sh`.
    public var scriptName: String
    /// The decoded rest of the URL path after ``scriptName``: empty, or starting with `/` (`PATH_INFO`).
    public var pathInfo: String

    /// Creates a script location.
    public init(scriptPath: String, scriptName: String, pathInfo: String = "") {
        self.scriptPath = scriptPath
        self.scriptName = scriptName
        self.pathInfo = pathInfo
    }

    /// Whether the script is Swift source (its real path ends in `.swift`), which the host
    /// compiles with ``ScriptCompiler`` and runs as the compiled executable.
    public var isSwiftSource: Bool {
        Self.isSwiftSource(scriptPath)
    }

    /// Whether the file at `path` is a Swift source that the host compiles before running it.
    public static func isSwiftSource(_ path: String) -> Bool {
        path.hasSuffix(".swift")
    }

    /// Whether the script writes the whole HTTP response itself, status line included, so the host
    /// passes its output through unchecked (RFC 3875 §5): its name starts with `nph-`.
    public var isNonParsedHeader: Bool {
        scriptName.split(separator: "/").last?.hasPrefix("nph-") ?? false
    }

    /// The folder that holds the script: its working directory (RFC 3875 §7.2).
    public var directory: String {
        guard let slash = scriptPath.lastIndex(of: "/") else { return "." }
        return slash == scriptPath.startIndex ? "/" : String(scriptPath[..<slash])
    }
}
