import Glibc
import SystemPackage

/// The order in which the linker lays out what a `.swift` script uses while it starts, so that
/// a CGI process, which runs once per request, touches as few pages as it can.
///
/// A script is a statically linked executable of about 12 MB. Its start-up (the C library,
/// the Swift runtime, `CGI.run`, reading the request) touches only a few hundred functions
/// and a few hundred data objects, but the linker scatters them over the whole file, and each
/// page a process touches for the first time costs it a page fault: on a virtual machine
/// several microseconds each, the better part of a small script's run. Given the list of
/// those symbols in the order they are first touched (``symbols``, recorded by
/// `Tools/startup-order.sh`), lld places their sections together: a hello-world script then
/// starts with about a quarter fewer page faults.
///
/// The list only reorders: a symbol the linker does not find is skipped, so a list recorded
/// with another library or toolchain costs speed, never correctness.
struct StartupOrder {
    /// The file handed to the linker (`--symbol-ordering-file`).
    let path: String

    /// Writes the list into `folder` (once: the file is named by its digest) and returns it;
    /// nil when the list is empty or the file cannot be written, so scripts are linked
    /// without it.
    static func file(in folder: String) -> StartupOrder? {
        let contents = Array(symbols.utf8)
        guard !contents.isEmpty else { return nil }
        let path = folder + "/startup-order-" + String(CompileCache.key(for: contents).prefix(16)) + ".txt"
        if (try? FilePath(path).stat()) == nil {
            guard (try? FilePath(path).writeAtomically(contents, permissions: .ownerReadWrite)) != nil else { return nil }
        }
        return StartupOrder(path: path)
    }

    /// The compiler's flags that link with lld and this order.
    var flags: [String] {
        ["-use-ld=lld", "-Xlinker", "--symbol-ordering-file=" + path, "-Xlinker", "--no-warn-symbol-ordering"]
    }

    /// Whether the toolchain of `compiler` has lld (Swift's Linux toolchains ship it beside
    /// `swiftc`).
    static func linkerAvailable(besides compiler: String) -> Bool {
        guard let resolved = realpath(compiler, nil) else { return false }
        defer { free(resolved) }
        let folder = FilePath(String(cString: resolved)).removingLastComponent()
        return access(folder.appending("ld.lld").string, X_OK) == 0
    }
}
