import Glibc

/// Maps a URL path under a prefix such as `/cgi-bin` to a script in a folder, safely.
///
/// The rules, in order (RFC 3875 §3.3 and §9.8, and the defences against path traversal,
/// encoded separators and symbolic-link escapes that CGI hosts have needed):
/// 1. The path is decoded once and normalized (``RequestPath``); `%00`, control characters
///    and `..` above the root are a bad request.
/// 2. The path must start with the prefix's segments, else not found.
/// 3. A segment that decodes to contain `/` or `\` (`%2F`, `%5C`) is never a file name: not found.
/// 4. The segments after the prefix are walked inside the folder: folders are entered; the first
///    regular file is the script and the remaining segments become `PATH_INFO`. A segment NAME
///    with no entry of its own names the Swift script `NAME.swift` when that is a regular file.
///    A missing entry is not found; ending on a folder, or meeting something that is neither
///    folder nor regular file, is forbidden.
/// 5. The script's real path (symbolic links resolved) must lie inside the folder's real path.
/// 6. The script must be executable (unless it is a Swift source, which the host compiles:
///    ``ScriptLocation/isSwiftSource``), neither setuid nor setgid, and neither it nor any folder
///    between it and the root may be writable by group or others.
public struct ScriptResolver: Sendable {
    /// The folder that holds the scripts (the `cgi-bin` folder).
    public var root: String
    /// The URL path the folder is mounted at, such as `/cgi-bin`.
    public var urlPrefix: String {
        didSet { prefixSegments = Self.segments(of: urlPrefix) }
    }
    /// ``urlPrefix`` split into segments, kept for ``claims(_:)`` (asked for every request).
    private var prefixSegments: [String]

    /// Creates a resolver for scripts in `root`, reached under `urlPrefix`.
    public init(root: String, urlPrefix: String = "/cgi-bin") {
        self.root = root
        self.urlPrefix = urlPrefix
        prefixSegments = Self.segments(of: urlPrefix)
    }

    /// Whether a normalized path lies under ``urlPrefix``: the server asks the resolver for
    /// these paths and never serves them as static files.
    public func claims(_ path: RequestPath) -> Bool {
        path.hasPrefix(prefixSegments)
    }

    /// Finds the script for a percent-encoded URL path (no query).
    public func resolve(path: String) throws(ScriptResolverError) -> ScriptLocation {
        try resolve(RequestPath(percentEncoded: path))
    }

    /// Finds the script for a normalized URL path.
    public func resolve(_ path: RequestPath) throws(ScriptResolverError) -> ScriptLocation {
        guard claims(path) else { throw .notFound }
        let names = Array(path.segments.dropFirst(prefixSegments.count))
        guard !names.contains(where: { $0.contains("/") || $0.contains("\\") }) else { throw .notFound }
        guard let realRoot = Self.realPath(root) else { throw .notFound }

        // The walk looks at each entry without following links (lstat). Until a link is met,
        // every path walked is already real, and the folders entered are the ones rule 6 checks;
        // after one, rules 5 and 6 resolve the script's real path and look again from there.
        var folder = realRoot
        var direct = true
        var writableFolder: String?
        for (index, name) in names.enumerated() {
            var candidate = folder + "/" + name
            var entry = Self.entry(at: candidate)
            if entry == nil, let source = Self.entry(at: candidate + ".swift"), source.kind == .file {
                candidate += ".swift"
                entry = source
            }
            guard let entry else { throw .notFound }
            if entry.isLink { direct = false }
            switch entry.kind {
            case .folder:
                if entry.isWritableByOthers { writableFolder = candidate }
                folder = candidate
            case .other:
                throw .forbidden("\(candidate) is not a regular file")
            case .file:
                let scriptPath =
                    direct
                    ? try Self.checkedScript(candidate, entry, writableFolder: writableFolder)
                    : try Self.checkedScript(candidate, inside: realRoot)
                let scriptName = "/" + (prefixSegments + names[...index]).joined(separator: "/")
                var pathInfo = names[(index + 1)...].map { "/" + $0 }.joined()
                if path.hasTrailingSlash { pathInfo += "/" }
                return ScriptLocation(scriptPath: scriptPath, scriptName: scriptName, pathInfo: pathInfo)
            }
        }
        throw .forbidden("\(folder) is a folder, not a script")
    }

    private static func segments(of prefix: String) -> [String] {
        prefix.split(separator: "/").map(String.init)
    }

    /// What the walk learns of one entry.
    private struct Entry {
        enum Kind { case folder, file, other }
        var kind: Kind
        var mode: mode_t
        /// Whether the path was a symbolic link, to this.
        var isLink: Bool

        init(_ info: stat, isLink: Bool) {
            self.isLink = isLink
            mode = info.st_mode
            switch info.st_mode & S_IFMT {
            case S_IFDIR: kind = .folder
            case S_IFREG: kind = .file
            default: kind = .other
            }
        }

        var isWritableByOthers: Bool { mode & (S_IWGRP | S_IWOTH) != 0 }
    }

    /// The entry at `path`, nil when there is none; a symbolic link is followed.
    private static func entry(at path: String) -> Entry? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        guard info.st_mode & S_IFMT == S_IFLNK else { return Entry(info, isLink: false) }
        guard stat(path, &info) == 0 else { return nil }
        return Entry(info, isLink: true)
    }

    /// Rule 6 for a script reached without links: `path` is its real path, `entry` what lstat
    /// said of it, and `writableFolder` a folder of the walk that group or others may write.
    private static func checkedScript(
        _ path: String, _ entry: Entry, writableFolder: String?
    ) throws(ScriptResolverError) -> String {
        try checkPermissions(path, mode: entry.mode)
        if let writableFolder { throw .forbidden("folder \(writableFolder) is writable by group or others") }
        return path
    }

    /// Applies rules 5 and 6 to a script reached through a link, and returns its real path.
    private static func checkedScript(_ path: String, inside realRoot: String) throws(ScriptResolverError) -> String {
        guard let real = realPath(path), real.hasPrefix(realRoot + "/") else {
            throw .forbidden("\(path) resolves outside \(realRoot)")
        }
        var info = stat()
        guard stat(real, &info) == 0 else { throw .notFound }
        try checkPermissions(real, mode: info.st_mode)
        var folder = Substring(real)
        while folder.count > realRoot.count, let slash = folder.lastIndex(of: "/") {
            folder = folder[..<slash]
            guard stat(String(folder), &info) == 0, info.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
                throw .forbidden("folder \(folder) is writable by group or others")
            }
        }
        return real
    }

    /// Rule 6 for the script itself, at its real path with its mode.
    private static func checkPermissions(_ real: String, mode: mode_t) throws(ScriptResolverError) {
        guard ScriptLocation.isSwiftSource(real) || access(real, X_OK) == 0 else { throw .forbidden("\(real) is not executable") }
        guard mode & (S_ISUID | S_ISGID) == 0 else { throw .forbidden("\(real) is setuid or setgid") }
        guard mode & (S_IWGRP | S_IWOTH) == 0 else { throw .forbidden("\(real) is writable by group or others") }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
