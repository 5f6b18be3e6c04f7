import Glibc

/// Why a `.swift` script could not be turned into an executable, with a message for the
/// person running the site.
public enum ScriptCompilerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No `swiftc` was found (on `PATH`, or at the configured path).
    case compilerNotFound(String)
    /// The compiler could not be started, or `swiftc --version` failed.
    case compilerUnusable(path: String, reason: String)
    /// The `CGI` library's module or object files are not in `buildDirectory`.
    case libraryNotFound(buildDirectory: String, reason: String)
    /// The script's source file could not be read.
    case sourceUnreadable(path: String, errno: Int32)
    /// The cache folder could not be created, locked or written.
    case cacheUnusable(path: String, errno: Int32)
    /// A compiled script could not be copied to an output folder.
    case outputUnwritable(path: String, errno: Int32)
    /// The compiler ran longer than the compile timeout and was stopped.
    case compileTimedOut(script: String, seconds: Int)
    /// The compiler rejected the script; `diagnostics` is what it printed.
    case compileFailed(script: String, diagnostics: String)

    /// A sentence for a person.
    public var description: String {
        switch self {
        case .compilerNotFound(let searched):
            "no Swift compiler found (looked for \(searched)); install a Swift toolchain or set the compiler's path"
        case .compilerUnusable(let path, let reason):
            "the Swift compiler \(path) cannot be used: \(reason)"
        case .libraryNotFound(let buildDirectory, let reason):
            "the CGI library is not built in \(buildDirectory) (\(reason)); run `swift build` in the package, or set the library's build folder"
        case .sourceUnreadable(let path, let errno):
            "cannot read the script \(path): \(Self.message(errno))"
        case .cacheUnusable(let path, let errno):
            "cannot use the compile cache at \(path): \(Self.message(errno))"
        case .outputUnwritable(let path, let errno):
            "cannot write \(path): \(Self.message(errno))"
        case .compileTimedOut(let script, let seconds):
            "compiling \(script) took longer than \(seconds) seconds; the compiler was stopped"
        case .compileFailed(let script, let diagnostics):
            "\(script) does not compile:\n\(diagnostics)"
        }
    }

    private static func message(_ errno: Int32) -> String {
        String(cString: strerror(errno))
    }
}
