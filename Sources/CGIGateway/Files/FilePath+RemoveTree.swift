import Glibc
import SystemPackage

extension FilePath {
    /// Removes this folder and everything in it (`rm -r`), without following symbolic links.
    /// Best effort: what cannot be removed stays.
    func removeTree() {
        if let folder = opendir(string) {
            while let entry = readdir(folder) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard name != "." && name != ".." else { continue }
                let path = appending(name)
                var info = Glibc.stat()
                if lstat(path.string, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
                    path.removeTree()
                } else {
                    unlink(path.string)
                }
            }
            closedir(folder)
        }
        rmdir(string)
    }
}
