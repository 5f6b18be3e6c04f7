import Glibc
import SystemPackage

extension FilePath {
    /// Writes `bytes` to a new `PATH.partial-PID-RANDOM` and renames it to this path, so that
    /// readers see the old file or the whole new one, never a part. The partial file's name is
    /// this writer's own: processes writing the same path at once do not disturb each other,
    /// and the last rename wins.
    /// - Throws: the `Errno` of the failed open, write or rename.
    func writeAtomically(_ bytes: [UInt8], permissions: FilePermissions) throws {
        let partial = FilePath(string + ".partial-\(getpid())-\(arc4random())")
        let output = try FileDescriptor.open(
            partial, .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec], permissions: permissions)
        do {
            _ = try output.writeAll(bytes)
            try output.close()
        } catch {
            try? output.close()
            unlink(partial.string)
            throw error
        }
        guard rename(partial.string, string) == 0 else {
            let failure = Errno(rawValue: errno)
            unlink(partial.string)
            throw failure
        }
    }
}
