import CGIAdmin
import CGIGateway
import Dispatch
import Glibc
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An HTTP/1.1 server for a site folder: static files from the document root, CGI scripts from the
/// script folder at `/cgi-bin/`. Runs until SIGTERM or SIGINT, then lets requests in flight finish;
/// SIGHUP reopens the log files (after logrotate moved them) and serving goes on.
public struct CGIServer: Sendable {
    /// Why the server cannot start.
    public enum StartError: Error, CustomStringConvertible {
        /// A configured folder does not exist or is not a folder.
        case missingFolder(String)
        /// The access log cannot be opened.
        case accessLog(String)
        /// The error log cannot be opened.
        case errorLog(String)
        /// The TLS certificate or key cannot be loaded.
        case tls(String)
        /// The address cannot be bound.
        case bind(String)
        /// The admin address cannot be bound.
        case admin(String)
        /// The server cannot switch to the `--user` account.
        case user(String)
        /// Scripts would run as root, and the configuration does not allow it.
        case rootScripts
        /// The private folder for resident workers' sockets cannot be made.
        case residentSockets(String)

        /// A sentence for the person starting the server, such as `no such folder: site/htdocs`.
        public var description: String {
            switch self {
            case .missingFolder(let path): "no such folder: \(path)"
            case .accessLog(let reason), .errorLog(let reason): reason
            case .tls(let reason): "TLS: \(reason)"
            case .bind(let reason): "cannot listen: \(reason)"
            case .admin(let reason): "cannot listen for --admin: \(reason)"
            case .user(let reason): reason
            case .residentSockets(let reason): "resident scripts: \(reason)"
            case .rootScripts:
                "refusing to run scripts as root: start as root with --user NAME to serve as NAME, or allow it with --allow-root-scripts"
            }
        }
    }

    /// The configuration this server runs with.
    public let configuration: ServerConfiguration
    private let logger: Logger

    /// A server for `configuration`, logging errors and script stderr to `logger`.
    public init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Starts listening, calls `adminReady` with the admin listener's URL (with
    /// ``ServerConfiguration/admin``), then `ready` with the URL it listens on (e.g.
    /// `http://127.0.0.1:8080/`), and serves until SIGTERM or SIGINT; returns after the graceful
    /// shutdown.
    public func run(adminReady: (String) -> Void = { _ in }, ready: (String) -> Void) throws {
        signal(SIGPIPE, SIG_IGN)
        setSignalMask()
        let user = try configuration.user.map { name throws(StartError) in try ServerUser(name: name) }
        guard (user?.uid ?? geteuid()) != 0 || configuration.allowRootScripts else { throw StartError.rootScripts }
        SpoolBudget.process.setLimit(configuration.maxSpoolSize)
        // TLS keys are often readable by root alone: loaded before the switch.
        let tls = try makeTLSContext()
        if let user {
            try user.actAs()
            setenv("HOME", user.home, 1)
        }
        let errorLog = try openErrorLog()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.threads ?? 2 * System.coreCount)
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        let compilePool = NIOThreadPool(numberOfThreads: 2)
        compilePool.start()
        defer {
            try? group.syncShutdownGracefully()
            try? threadPool.syncShutdownGracefully()
            try? compilePool.syncShutdownGracefully()
        }
        let context = try makeContext(
            fileIO: NonBlockingFileIO(threadPool: threadPool), compilePool: compilePool, group: group)
        let registry = ConnectionRegistry(limit: configuration.maxConnections)
        try ConnectionPipeline.instantiateMetadata(server: context)
        try user?.actAsRoot()
        let listeners = try bind(group: group, context: context, tls: tls, registry: registry)
        let admin: AdminListener?
        do {
            admin = try startAdmin(group: group, context: context, registry: registry)
        } catch {
            listeners.close()
            throw error
        }
        if let user {
            do {
                try user.become()
            } catch {
                listeners.close()
                throw error
            }
            logger.info("running as \(user.name) (uid \(user.uid))")
        }
        let stop = group.next().makePromise(of: Int32.self)
        // Blocked since start-up (setSignalMask), a signal that came early waits for its source.
        let signalSources =
            [SIGTERM, SIGINT].map { number in
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { stop.succeed(number) }
                source.resume()
                return source
            }
            + [SIGHUP].map { number in
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [logger] in
                    Self.reopen(accessLog: context.accessLog, errorLog: errorLog, logger: logger)
                }
                source.resume()
                return source
            }
        defer { signalSources.forEach { $0.cancel() } }

        if let admin, let address = configuration.admin {
            adminReady(admin.url(for: address))
        }
        let port = listeners.port ?? configuration.port
        let name = configuration.inheritedSockets.isEmpty ? configuration.host : listeners.address?.ipAddress ?? "localhost"
        let host = name.contains(":") ? "[\(name)]" : name
        ready("\(configuration.usesTLS ? "https" : "http")://\(host):\(port)/")

        let signalNumber = try stop.futureResult.wait()
        logger.info("signal \(signalNumber): shutting down")
        listeners.close()
        admin?.close()
        shutDown(registry, slots: context.scriptSlots)
        stopResidentWorkers(context.residentPools)
    }

    /// The signals every server thread blocks, whatever mask the server was started with (each
    /// thread inherits the mask of the thread that starts it, so this is set before any thread):
    /// - SIGTERM and SIGINT, so that they reach the Dispatch signal sources that stop the server
    ///   and never a thread of their own choosing;
    /// - SIGCHLD: scripts are reaped by polling (``ScriptReaper``), and left deliverable, each
    ///   script's exit woke an idle thread (a thread-pool or the main thread) for nothing, about one
    ///   context switch per request under load.
    /// Scripts start with an empty mask all the same (``ScriptProcess``).
    /// - SIGHUP, for the Dispatch source that reopens the logs (its default action ended the server).
    private static let blockedSignals = [SIGTERM, SIGINT, SIGHUP, SIGCHLD]

    /// Opens the error log (`--error-log`) at standard error, where the logger and script stderr write.
    private func openErrorLog() throws -> LogFile? {
        guard let path = configuration.errorLogPath else { return nil }
        do {
            return try LogFile(path: path, at: STDERR_FILENO)
        } catch {
            throw StartError.errorLog("\(error)")
        }
    }

    /// Reopens both logs by their paths (SIGHUP); a log that cannot be reopened keeps its old file.
    private static func reopen(accessLog: AccessLog?, errorLog: LogFile?, logger: Logger) {
        do {
            try errorLog?.reopen()
            try accessLog?.reopen()
            logger.info("signal \(SIGHUP): log files reopened")
        } catch {
            logger.error("signal \(SIGHUP): \(error); writing on to the old file")
        }
    }

    private func setSignalMask() {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for signal in Self.blockedSignals { sigaddset(&blocked, signal) }
        pthread_sigmask(SIG_SETMASK, &blocked, nil)
    }

    /// Asks every connection to finish its current request, waits up to the grace period, then
    /// closes the rest (which stops their scripts) and waits for the scripts to be reaped.
    private func shutDown(_ registry: ConnectionRegistry, slots: ScriptSlots) {
        for channel in registry.channels {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        let deadline = NIODeadline.now() + .milliseconds(Int64(configuration.shutdownGrace * 1000))
        while !registry.channels.isEmpty && NIODeadline.now() < deadline {
            usleep(20_000)
        }
        for channel in registry.channels {
            try? channel.close().wait()
        }
        let reapDeadline = NIODeadline.now() + .milliseconds(Int64((configuration.killGrace + 1) * 1000))
        while slots.running > 0 && NIODeadline.now() < reapDeadline {
            usleep(20_000)
        }
    }

    /// The admin listener, when the configuration asks for one.
    private func startAdmin(
        group: MultiThreadedEventLoopGroup, context: ServerContext, registry: ConnectionRegistry
    ) throws -> AdminListener? {
        guard let address = configuration.admin, let metrics = context.metrics.factory as? MetricsRegistry else { return nil }
        do {
            return try AdminListener(
                address: address, group: group.next(),
                pages: AdminState(registry: metrics, server: context, connections: registry))
        } catch {
            throw StartError.admin("\(address): \(error)")
        }
    }

    /// Drains the resident workers (their requests are over: the connections are closed) and
    /// waits until every one is reaped; one still running after the kill grace is killed.
    private func stopResidentWorkers(_ pools: ResidentPools?) {
        guard let pools else { return }
        try? pools.stop(grace: .milliseconds(Int64(configuration.killGrace * 1000))).wait()
    }

    /// What every connection shares, built from the configuration; resident pools run their
    /// upkeep on `group`.
    func makeContext(fileIO: NonBlockingFileIO, compilePool: NIOThreadPool, group: any EventLoopGroup) throws -> ServerContext {
        guard let documentRoot = CanonicalPath(resolving: configuration.documentRoot) else {
            throw StartError.missingFolder(configuration.documentRoot)
        }
        guard let scriptRoot = CanonicalPath(resolving: configuration.scriptRoot) else {
            throw StartError.missingFolder(configuration.scriptRoot)
        }
        var accessLog: AccessLog?
        if let path = configuration.accessLogPath {
            do {
                accessLog = try AccessLog(path: path, format: configuration.accessLogFormat)
            } catch {
                throw StartError.accessLog(error.description)
            }
        }
        let compiler = Result { () throws(ScriptCompilerError) in try ScriptCompiler(configuration.swiftScripts) }
        let environment = EnvironmentConfiguration(
            serverSoftware: ServerContext.software, documentRoot: documentRoot.path,
            passEnvironment: configuration.passEnvironment,
            setEnvironment: Dictionary(
                developmentSettings + symbolizerSettings(compiler) + configuration.setEnvironment, uniquingKeysWith: { $1 }),
            passAuthorization: configuration.passAuthorization)
        if case .failure(let error) = compiler {
            logger.warning(".swift scripts cannot be compiled: \(error)")
        }
        let metrics = configuration.admin == nil ? ServerMetrics.disabled : ServerMetrics(factory: MetricsRegistry())
        return ServerContext(
            configuration: configuration,
            staticFiles: StaticFiles(documentRoot: DocumentRoot(path: documentRoot, scriptRoot: scriptRoot)),
            scriptResolver: ScriptResolver(root: scriptRoot.path),
            environment: EnvironmentBuilder(configuration: environment),
            swiftCompiler: CompileScheduler(compiler: compiler, threadPool: compilePool, logger: logger, metrics: metrics),
            scriptSlots: ScriptSlots(
                limit: configuration.maxScripts, queueLimit: configuration.maxQueuedScripts,
                queueTimeout: .milliseconds(Int64(configuration.queueTimeout * 1000))),
            residentPools: try makeResidentPools(
                environment: EnvironmentBuilder(configuration: environment), group: group, metrics: metrics),
            accessLog: accessLog, errorLog: logger, fileIO: fileIO, metrics: metrics)
    }

    /// The pools of resident scripts (`--resident`), or `nil` when no script is resident. A
    /// worker gets the environment every script gets apart from the request's variables (those
    /// travel as FastCGI PARAMS), the scripts' limits, and the user the server runs as. Its
    /// requests are not timed by the pool: the responder stops one silent for the script timeout.
    private func makeResidentPools(
        environment: EnvironmentBuilder, group: any EventLoopGroup, metrics: ServerMetrics
    ) throws -> ResidentPools? {
        guard !configuration.residentPatterns.isEmpty else { return nil }
        let settings = ResidentPool.Settings(
            pool: PoolSettings(
                workers: configuration.residentWorkers, maxRequests: configuration.residentMaxRequests, requestTimeout: nil,
                arguments: [], environment: environment.workerEnvironment(), workingDirectory: "/"),
            limits: configuration.scriptLimits, idleTimeout: .milliseconds(Int(configuration.residentIdleTimeout * 1000)),
            maxQueued: configuration.maxQueuedScripts, queueTimeout: .milliseconds(Int64(configuration.queueTimeout * 1000)))
        do {
            return try ResidentPools(
                patterns: configuration.residentPatterns, settings: settings, group: group, logger: logger, metrics: metrics)
        } catch {
            throw StartError.residentSockets(error.description)
        }
    }

    /// What development mode sets in every script's environment (`--set-env` can override it):
    /// `CGI_DEBUG=1` makes scripts using the `CGI` library show their error reports in the browser.
    private var developmentSettings: [(name: String, value: String)] {
        configuration.developmentMode ? [("CGI_DEBUG", "1")] : []
    }

    /// `CGI_SYMBOLIZER`, the toolchain's `llvm-symbolizer` beside the `swiftc` in use, so that a
    /// crashing `.swift` script reports file and line (`--set-env` can override it).
    private func symbolizerSettings(_ compiler: Result<ScriptCompiler, ScriptCompilerError>) -> [(name: String, value: String)] {
        guard case .success(let compiler) = compiler else { return [] }
        let folder = compiler.compilerPath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(
            separator: "/")
        let symbolizer = folder + "/llvm-symbolizer"
        return access(symbolizer, X_OK) == 0 ? [("CGI_SYMBOLIZER", symbolizer)] : []
    }

    private func makeTLSContext() throws -> NIOSSLContext? {
        guard let certificatePath = configuration.tlsCertificatePath, let keyPath = configuration.tlsKeyPath else {
            return nil
        }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            return try NIOSSLContext(
                configuration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        } catch {
            throw StartError.tls("\(error)")
        }
    }

    private func bind(
        group: MultiThreadedEventLoopGroup, context: ServerContext, tls: NIOSSLContext?, registry: ConnectionRegistry
    ) throws -> ListenerGroup {
        do {
            let acceptFailures = AcceptFailureLog(logger: logger)
            let bootstrap = { (loop: any EventLoop, children: any EventLoopGroup) in
                ServerBootstrap(group: loop, childGroup: children)
                    .serverChannelOption(.backlog, value: 511)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .serverChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            let pipeline = channel.pipeline.syncOperations
                            try pipeline.addHandler(AcceptRetryHandler(log: acceptFailures))
                            try pipeline.addHandler(AcceptLimitHandler(registry: registry))
                        }
                    }
                    .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                    .childChannelOption(.allowRemoteHalfClosure, value: true)
                    .childChannelInitializer { channel in
                        let number = registry.add(channel)
                        return channel.eventLoop.makeCompletedFuture {
                            if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                            try ConnectionPipeline.addHandlers(
                                to: channel.pipeline.syncOperations, server: context, connectionNumber: number)
                        }
                    }
            }
            if !configuration.inheritedSockets.isEmpty {
                return try ListenerGroup(group: group, descriptors: configuration.inheritedSockets, bootstrap: bootstrap)
            }
            return try ListenerGroup(group: group, host: configuration.host, port: configuration.port, bootstrap: bootstrap)
        } catch {
            let what =
                configuration.inheritedSockets.isEmpty
                ? "\(configuration.host):\(configuration.port)"
                : "inherited sockets \(configuration.inheritedSockets.map(String.init).joined(separator: ", "))"
            throw StartError.bind("\(what): \(error)")
        }
    }
}
