import Glibc

/// A limit on what one script process may use (`setrlimit(2)`), such as `cpu=5` or
/// `memory=268435456`; its hard limit is set too, so the script cannot raise it.
///
/// What a script over its limit sees: `cpu` sends it SIGXCPU (it dies with "CPU time limit
/// exceeded"; the hard limit is a second later, where the kernel sends SIGKILL to a script that
/// caught SIGXCPU), `file-size` SIGXFSZ on the write that crosses it; `memory` makes allocations
/// fail, `files` makes `open` fail with EMFILE, `processes` makes `fork` fail with EAGAIN (the
/// count is of all processes of the script's user, as the kernel counts it, and the kernel does
/// not apply it to root).
public struct ResourceLimit: Sendable, Equatable, CustomStringConvertible {
    /// What is limited.
    public enum Kind: String, Sendable, CaseIterable {
        /// CPU time in seconds (`RLIMIT_CPU`).
        case cpu
        /// Address space in bytes (`RLIMIT_AS`).
        case memory
        /// Open descriptors (`RLIMIT_NOFILE`): the highest descriptor number plus one.
        case files
        /// Processes of the script's user (`RLIMIT_NPROC`).
        case processes
        /// The largest file the script may write, in bytes (`RLIMIT_FSIZE`).
        case fileSize = "file-size"

        var resource: Int32 {
            switch self {
            case .cpu: Int32(RLIMIT_CPU.rawValue)
            case .memory: Int32(RLIMIT_AS.rawValue)
            case .files: Int32(RLIMIT_NOFILE.rawValue)
            case .processes: Int32(__RLIMIT_NPROC.rawValue)  // glibc names it RLIMIT_NPROC by a macro
            case .fileSize: Int32(RLIMIT_FSIZE.rawValue)
            }
        }
    }

    /// Why `NAME=VALUE` is not a limit.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        /// The text that was given.
        public var text: String
        /// `--script-limit needs NAME=VALUE with NAME one of cpu, memory, …`.
        public var description: String {
            let names = Kind.allCases.map(\.rawValue).joined(separator: ", ")
            return "a script limit is NAME=VALUE with NAME one of \(names) and VALUE a whole number, got \(text)"
        }
    }

    /// What is limited.
    public var kind: Kind
    /// The limit, in the kind's unit.
    public var value: UInt64

    /// A limit of `value` on `kind`.
    public init(_ kind: Kind, _ value: UInt64) {
        self.kind = kind
        self.value = value
    }

    /// Parses `NAME=VALUE`, such as `cpu=5` or `file-size=1048576`.
    /// - Throws: ``ParseError`` for an unknown name or a value that is not a whole number.
    public init(parsing text: String) throws(ParseError) {
        let parts = text.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, let kind = Kind(rawValue: String(parts[0])), let value = UInt64(parts[1]) else {
            throw ParseError(text: text)
        }
        self.init(kind, value)
    }

    /// `cpu=5`.
    public var description: String { "\(kind.rawValue)=\(value)" }

    /// Sets this limit on the running process `pid`; the `errno` of a failure.
    func apply(to pid: pid_t) -> Int32? {
        let hard = kind == .cpu ? value + 1 : value
        var limit = rlimit(rlim_cur: rlim_t(value), rlim_max: rlim_t(hard))
        return GNUExtensions.prlimit(pid, kind.resource, &limit, nil) == 0 ? nil : errno
    }
}
