import Glibc

/// Why a script process could not be started. Each means a 500 for the client.
public enum ScriptSpawnError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Creating a pipe or opening `/dev/null` failed with this `errno`.
    case pipe(errno: Int32)
    /// An argument or environment entry contains a NUL byte, which cannot be passed to a program.
    case nulByte(String)
    /// `posix_spawn` failed for this executable with this `errno` (missing, not executable, bad interpreter…).
    case spawn(executable: String, errno: Int32)
    /// A resource limit could not be set on the started script (which was stopped) for this `errno`.
    case limit(ResourceLimit, errno: Int32)

    /// A sentence for the log.
    public var description: String {
        switch self {
        case .pipe(let code): "cannot create a pipe for the script: \(Self.message(code))"
        case .nulByte(let text): "cannot pass a value with a NUL byte to the script: \(text.prefix(40))"
        case .spawn(let path, let code): "cannot start \(path): \(Self.message(code))"
        case .limit(let limit, let code): "cannot set the script limit \(limit): \(Self.message(code))"
        }
    }

    private static func message(_ code: Int32) -> String { String(cString: strerror(code)) }
}
