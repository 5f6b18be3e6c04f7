import Glibc
import SystemPackage

extension FilePath {
    /// Writes `bytes` to `PATH.partial` and renames it to this path, so that readers see the
    /// old file or the whole new one, never a part.
    /// - Throws: the `Errno` of the failed open, write or rename.
    func writeAtomically(_ bytes: [UInt8], permissions: FilePermissions) throws {
        let partial = FilePath(string + ".partial")
        let output = try FileDescriptor.open(
            partial, .writeOnly, options: [.create, .truncate, .closeOnExec], permissions: permissions)
        do {
            _ = try output.writeAll(bytes)
            try output.close()
        } catch {
            try? output.close()
            throw error
        }
        guard rename(partial.string, string) == 0 else { throw Errno(rawValue: errno) }
    }
}
