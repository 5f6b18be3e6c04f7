import CGIGateway
import Logging
import NIOCore
import NIOPosix

/// What every connection shares: configuration, static files, logs. Built once at start-up.
struct ServerContext: Sendable {
    /// `Server` header and `SERVER_SOFTWARE`.
    static let software = "swift-cgi/0.1"

    var configuration: ServerConfiguration
    var staticFiles: StaticFiles
    /// Maps `/cgi-bin/…` paths to scripts.
    var scriptResolver: ScriptResolver
    /// Builds each script's environment.
    var environment: EnvironmentBuilder
    /// Compiles `.swift` scripts.
    var swiftCompiler: CompileScheduler
    /// Caps concurrent scripts.
    var scriptSlots: ScriptSlots
    var accessLog: AccessLog?
    var errorLog: Logger
    /// Reads static files in chunks when they cannot be sent with `sendfile` (TLS).
    var fileIO: NonBlockingFileIO
}
