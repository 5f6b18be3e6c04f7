import CGIGateway
import Logging
import NIOCore
import NIOPosix

/// What every connection shares: configuration, static files, logs. Built once at start-up, and
/// shared by reference: every request holds it, and a copy of all it holds would cost each one.
final class ServerContext: Sendable {
    /// `Server` header and `SERVER_SOFTWARE`.
    static let software = "swift-cgi/0.1"

    let configuration: ServerConfiguration
    let staticFiles: StaticFiles
    /// Maps `/cgi-bin/…` paths to scripts.
    let scriptResolver: ScriptResolver
    /// Builds each script's environment.
    let environment: EnvironmentBuilder
    /// Compiles `.swift` scripts.
    let swiftCompiler: CompileScheduler
    /// Caps concurrent scripts.
    let scriptSlots: ScriptSlots
    /// The worker pools of resident scripts, or `nil` when none is resident.
    let residentPools: ResidentPools?
    let accessLog: AccessLog?
    let errorLog: Logger
    /// What the admin listener shows: no-ops without `--admin`.
    let metrics: ServerMetrics
    /// The last server errors (5xx), for the status page.
    let recentErrors = RecentErrors()
    /// Reads static files in chunks when they cannot be sent with `sendfile` (TLS).
    let fileIO: NonBlockingFileIO
    /// Kept-alive connections to the FastCGI applications of ``ServerConfiguration/fastCGIPasses``.
    let fastCGIConnections = FastCGIConnectionPool()

    /// A context holding these.
    init(
        configuration: ServerConfiguration, staticFiles: StaticFiles, scriptResolver: ScriptResolver,
        environment: EnvironmentBuilder, swiftCompiler: CompileScheduler, scriptSlots: ScriptSlots, residentPools: ResidentPools?,
        accessLog: AccessLog?, errorLog: Logger, fileIO: NonBlockingFileIO, metrics: ServerMetrics = .disabled
    ) {
        self.metrics = metrics
        self.configuration = configuration
        self.staticFiles = staticFiles
        self.scriptResolver = scriptResolver
        self.environment = environment
        self.swiftCompiler = swiftCompiler
        self.scriptSlots = scriptSlots
        self.residentPools = residentPools
        self.accessLog = accessLog
        self.errorLog = errorLog
        self.fileIO = fileIO
    }
}
