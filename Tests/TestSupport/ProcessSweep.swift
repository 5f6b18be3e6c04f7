import Foundation
import Glibc

/// Finds and kills processes by what they are doing, for processes that left their group
/// (a script's background child, say) and so escape ``ChildProcess``'s group kill.
public enum ProcessSweep {
    /// Kills (SIGKILL) every process, other than this one, whose working directory is `folder`
    /// or inside it.
    public static func killProcesses(workingInside folder: String) {
        for pid in processes(workingInside: folder) { kill(pid, SIGKILL) }
    }

    /// The processes, other than this one, whose working directory is `folder` or inside it.
    public static func processes(workingInside folder: String) -> [pid_t] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name -> pid_t? in
            guard let pid = pid_t(name), pid != getpid(),
                let directory = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(name)/cwd"),
                directory == folder || directory.hasPrefix(folder + "/")
            else { return nil }
            return pid
        }
    }

    /// Whether a process is gone: no such pid, or only a zombie left for its parent to reap.
    public static func isGone(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
    }
}
