import CGIGateway
import NIOCore

/// Finds the worker for one request to a resident script: the script's executable (a `.swift`
/// script through the compile cache, so that an edited script compiles and its pool starts a new
/// generation of workers), then a lease from the script's pool.
struct ResidentWorkerSource {
    /// The script's pool.
    let pool: ResidentPool
    /// The script.
    let location: ScriptLocation
    /// The server's compile cache.
    let compiler: CompileScheduler

    /// A leased worker; fails with the ``ScriptFailure`` the client's answer follows from
    /// (`.noScriptSlot`, 503 with `Retry-After`, for a full queue or a pool backing off).
    func lease(on loop: any EventLoop) -> EventLoopFuture<WorkerLease> {
        let executable =
            location.isSwiftSource
            ? compiler.executable(for: location.scriptPath, on: loop).flatMapErrorThrowing { [location] error in
                throw ScriptFailure.cannotCompile(
                    script: location.scriptName,
                    error as? ScriptCompilerError ?? .compilerUnusable(path: "swiftc", reason: "\(error)"))
            }
            : loop.makeSucceededFuture(location.scriptPath)
        return executable.flatMap { [pool] executable in
            pool.lease(executable: executable, on: loop).flatMapErrorThrowing { error in
                switch error {
                case ResidentPoolError.cannotStart(_, let spawnError): throw ScriptFailure.cannotStart(spawnError)
                case ResidentPoolError.socket(_, let socketError): throw ScriptFailure.outputUnreadable(socketError.description)
                default: throw ScriptFailure.noScriptSlot  // a full queue, a long wait, a back-off, a stopping server
                }
            }
        }
    }
}
