import CGIGateway
import Glibc
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Compiles `.swift` scripts for the server, off the event loops: ``ScriptCompiler`` blocks
/// while `swiftc` runs, so each compile runs on a thread of its own pool.
///
/// The executables found are remembered by the source file's identity (device, inode, size,
/// modification and change times): a request for an unchanged script costs one `stat(2)`
/// on the event loop, with no thread hop, no read and no digest. An edited file has another
/// identity and goes through ``ScriptCompiler`` again.
///
/// A server without a usable compiler (no `swiftc`, the `CGI` library not built) still starts;
/// its `.swift` scripts then fail with the reason, and every other script runs as usual.
final class CompileScheduler: Sendable {
    /// The compiler, or why there is none.
    private let compiler: Result<ScriptCompiler, ScriptCompilerError>
    /// Where compiles run.
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let metrics: ServerMetrics
    /// The executable last found for each source path, with the source's identity then.
    private let known = NIOLockedValueBox([String: (source: FileIdentity, executable: String)]())

    init(
        compiler: Result<ScriptCompiler, ScriptCompilerError>, threadPool: NIOThreadPool, logger: Logger,
        metrics: ServerMetrics = .disabled
    ) {
        self.compiler = compiler
        self.threadPool = threadPool
        self.logger = logger
        self.metrics = metrics
    }

    /// The executable for the Swift script at `source`, compiled first unless it is cached.
    /// The future fails with a ``ScriptCompilerError``.
    func executable(for source: String, on loop: any EventLoop) -> EventLoopFuture<String> {
        let identity = FileIdentity(path: source)
        if let identity, let entry = known.withLockedValue({ $0[source] }), entry.source == identity,
            access(entry.executable, X_OK) == 0
        {
            metrics.compileCacheHits.increment()
            return loop.makeSucceededFuture(entry.executable)
        }
        return threadPool.runIfActive(eventLoop: loop) { [compiler, logger, known, metrics] in
            let start = ContinuousClock.now
            let script: ScriptCompiler.CompiledScript
            do {
                script = try compiler.get().compile(source)
            } catch {
                metrics.compileFailures.increment()
                throw error
            }
            if script.compiledNow {
                let took = ContinuousClock.now - start
                logger.info("compiled \(source) in \(took)")
                metrics.compileCacheMisses.increment()
                metrics.compileDuration.recordNanoseconds(
                    took.components.seconds * 1_000_000_000 + took.components.attoseconds / 1_000_000_000)
            } else {
                metrics.compileCacheHits.increment()
            }
            if let identity {
                known.withLockedValue { $0[source] = (identity, script.executable) }
            }
            return script.executable
        }
    }
}

/// What tells one version of a file from another without reading it: taken before the
/// compiler reads the source, so a later edit always shows as a different identity.
private struct FileIdentity: Equatable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modified: timespec
    let changed: timespec

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = info.st_mtim
        changed = info.st_ctim
    }

    static func == (a: FileIdentity, b: FileIdentity) -> Bool {
        a.device == b.device && a.inode == b.inode && a.size == b.size
            && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
            && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
    }
}
