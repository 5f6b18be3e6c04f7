import CGIGateway
import Logging
import NIOCore
import NIOPosix

/// Compiles `.swift` scripts for the server, off the event loops: ``ScriptCompiler`` blocks
/// while `swiftc` runs, so each compile runs on a thread of its own pool.
///
/// A server without a usable compiler (no `swiftc`, the `CGI` library not built) still starts;
/// its `.swift` scripts then fail with the reason, and every other script runs as usual.
struct SwiftScriptCompiler: Sendable {
    /// The compiler, or why there is none.
    let compiler: Result<ScriptCompiler, ScriptCompilerError>
    /// Where compiles run.
    let threadPool: NIOThreadPool
    let logger: Logger

    /// The executable for the Swift script at `source`, compiled first unless it is cached.
    /// The future fails with a ``ScriptCompilerError``.
    func executable(for source: String, on loop: any EventLoop) -> EventLoopFuture<String> {
        threadPool.runIfActive(eventLoop: loop) { [compiler, logger] in
            let start = ContinuousClock.now
            let script = try compiler.get().compile(source)
            if script.compiledNow {
                logger.info("compiled \(source) in \(ContinuousClock.now - start)")
            }
            return script.executable
        }
    }
}
