import CGIGateway
import Glibc

/// The program the workers run: an executable (a path, or a name looked up on PATH), or a
/// `.swift` script compiled through the compile cache each time it is resolved, so that a
/// `SIGHUP` picks up an edited script.
struct WorkerProgram {
    let name: String
    let compiler: () throws(ScriptCompilerError) -> ScriptCompiler

    /// The executable to start now: the script compiled (or found up to date in the cache), or
    /// the program itself.
    func resolve() throws -> String {
        if name.hasSuffix(".swift") { return try compiler().compile(name).executable }
        if name.contains("/") {
            guard access(name, X_OK) == 0 else { throw FastCGIError.programNotFound(name) }
            return name
        }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where access("\(folder)/\(name)", X_OK) == 0 {
            return "\(folder)/\(name)"
        }
        throw FastCGIError.programNotFound(name)
    }
}
