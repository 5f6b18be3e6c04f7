import Glibc
import SystemPackage

extension FilePath {
    /// Creates this folder and the folders above it that do not exist yet (`mkdir -p`).
    /// - Throws: the `Errno` of the first `mkdir(2)` that failed for another reason than
    ///   the folder already existing.
    func createFolders(permissions: FilePermissions) throws(Errno) {
        var path = isAbsolute ? "" : "."
        for component in components {
            path += "/" + component.string
            if mkdir(path, permissions.rawValue) != 0 && errno != EEXIST {
                throw Errno(rawValue: errno)
            }
        }
    }
}
