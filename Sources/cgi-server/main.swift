import ArgumentParser
import CGICore
import CGIGateway
import CGIServer
import Glibc
import Logging

/// `cgi-server [SITE] [options]`: serves SITE/htdocs at `/` and runs SITE/cgi-bin at `/cgi-bin/`.
@main
struct CGIServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cgi-server",
        abstract: "Serve a folder's htdocs/ as static files and run its cgi-bin/ scripts (CGI/1.1).")

    @Argument(help: "Site folder holding htdocs/ and cgi-bin/.")
    var site: String = "."

    @Option(help: "Folder served at / (default SITE/htdocs).")
    var htdocs: String?

    @Option(name: .customLong("cgi-bin"), help: "Folder of scripts run at /cgi-bin/ (default SITE/cgi-bin).")
    var cgiBin: String?

    @Option(help: "Address to listen on (not used when systemd passes the sockets: LISTEN_FDS).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free port (not used when systemd passes the sockets).")
    var port = 8080

    @Option(help: "Seconds a script may stay silent before 504 and a kill of its process group.")
    var scriptTimeout: Double = 30

    @Option(help: "Largest request body in bytes (413 beyond).")
    var maxBody = 100 * 1024 * 1024

    @Option(help: "Most scripts running at once (more wait in a bounded queue, then 503).")
    var maxScripts = 32

    @Option(help: "Most requests waiting for a script slot; beyond it 503 with Retry-After.")
    var scriptQueue = 64

    @Option(
        help: ArgumentHelp(
            "Run the cgi-bin scripts whose file name matches GLOB (fnmatch, such as '*.swift') as resident FastCGI worker pools (repeatable).",
            valueName: "glob"))
    var resident: [String] = []

    @Option(help: "Most workers per resident script, started on demand and stopped after 10 s idle.")
    var workers = 4

    @Option(help: "Requests after which a resident worker is replaced (default: never).")
    var maxRequests: Int?

    @Option(name: .customLong("pass-env"), help: "Server environment variable passed to scripts (repeatable).")
    var passEnv: [String] = []

    @Option(name: .customLong("set-env"), help: "NAME=VALUE set in scripts' environment (repeatable).")
    var setEnv: [String] = []

    @Option(
        name: .customLong("fastcgi-pass"),
        help:
            "SUFFIX=ADDRESS: existing files under htdocs whose names end with SUFFIX are answered by the FastCGI application at ADDRESS, unix:PATH or HOST:PORT (repeatable), such as .php=unix:/run/php/php8.2-fpm.sock."
    )
    var fastcgiPass: [String] = []

    @Flag(help: "Pass the Authorization header to scripts as HTTP_AUTHORIZATION.")
    var passAuthorization = false

    @Option(
        name: .customLong("trusted-proxy"),
        help:
            "A reverse proxy's address or CIDR block (repeatable): from these peers X-Forwarded-For, -Proto and -Port set the client's address, scheme and port."
    )
    var trustedProxies: [String] = []

    @Option(name: .customLong("access-log"), help: "Access log file, or - for stdout.")
    var accessLog: String?

    @Option(
        name: .customLong("access-log-format"),
        help: "combined (Combined Log Format + request id + microseconds) or json (the same fields as JSON lines).")
    var accessLogFormat: AccessLogFormat = .combined

    @Option(
        name: .customLong("admin"),
        help: ArgumentHelp(
            "HOST:PORT for /metrics (Prometheus), /status and /status?format=json; off by default. No authentication: use a loopback address.",
            valueName: "host:port"))
    var admin: AdminAddress?

    @Option(
        name: .customLong("error-log"),
        help: "File for server messages and script stderr instead of stderr (SIGHUP reopens both logs).")
    var errorLog: String?

    @Option(
        name: .customLong("script-limit"),
        help:
            "A limit on each script process, NAME=VALUE (repeatable): cpu seconds, memory bytes of address space, files, processes, file-size bytes."
    )
    var scriptLimits: [String] = []

    @Option(help: "Most client connections open at once; beyond it new ones wait in the listen queue (default: no limit).")
    var maxConnections: Int?

    @Option(help: "Most bytes all chunked request bodies being collected may hold together, in memory and $TMPDIR (413 beyond).")
    var maxSpool = 1024 * 1024 * 1024

    @Option(help: "When started as root: bind, then run as this user (and so do scripts).")
    var user: String?

    @Flag(help: "Allow scripts to run as root (without it a server that would run them as root does not start).")
    var allowRootScripts = false

    @Flag(help: "Development mode: error pages show details.")
    var dev = false

    @Option(help: "Seconds to wait for a request head (and between body reads) before 408.")
    var requestTimeout: Double = 10

    @Option(help: "Slowest average rate of a request body, in bytes per second, once --request-timeout is used up (408 below).")
    var minBodyRate = 500

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain; with --tls-key serves HTTPS.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(help: "Event-loop threads (default: two per core).")
    var threads: Int?

    @Option(help: "Compile cache for .swift scripts (default $XDG_CACHE_HOME/swift-cgi or ~/.cache/swift-cgi).")
    var swiftCache: String?

    @Option(
        help: "SwiftPM build folder holding the CGI library that .swift scripts link with (default: this executable's folder).")
    var swiftLibrary: String?

    @Option(help: "The swiftc that compiles .swift scripts (default: swiftc on PATH).")
    var swiftc: String?

    @Option(
        help: "Most bytes of compiled scripts kept in the compile cache; the least recently used go first (default: no limit).")
    var swiftCacheMax: Int?

    func validate() throws {
        for entry in setEnv where !entry.contains("=") {
            throw ValidationError("--set-env needs NAME=VALUE, got \(entry)")
        }
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        do {
            _ = try TrustedProxies(parsing: trustedProxies)
        } catch {
            throw ValidationError("--trusted-proxy \(error)")
        }
        for pass in fastcgiPass {
            do {
                _ = try FastCGIPass(parsing: pass)
            } catch {
                throw ValidationError("--fastcgi-pass: \(error)")
            }
        }
        for limit in scriptLimits {
            do {
                _ = try ResourceLimit(parsing: limit)
            } catch {
                throw ValidationError("--script-limit: \(error)")
            }
        }
        for (name, value) in [
            ("--max-connections", maxConnections), ("--max-spool", maxSpool), ("--swift-cache-max", swiftCacheMax),
            ("--workers", workers), ("--max-requests", maxRequests),
        ] {
            if let value, value < 1 { throw ValidationError("\(name) needs a positive number, got \(value)") }
        }
    }

    func run() throws {
        var configuration = ServerConfiguration(
            documentRoot: htdocs ?? site + "/htdocs", scriptRoot: cgiBin ?? site + "/cgi-bin")
        configuration.host = host
        configuration.port = port
        configuration.inheritedSockets = SocketActivation.take().map(Array.init) ?? []
        configuration.scriptTimeout = scriptTimeout
        configuration.maxBodySize = maxBody
        configuration.maxScripts = maxScripts
        configuration.maxQueuedScripts = scriptQueue
        configuration.passEnvironment = passEnv
        configuration.setEnvironment = setEnv.map { entry in
            let equals = entry.firstIndex(of: "=")!
            return (String(entry[..<equals]), String(entry[entry.index(after: equals)...]))
        }
        configuration.passAuthorization = passAuthorization
        configuration.trustedProxies = (try? TrustedProxies(parsing: trustedProxies)) ?? TrustedProxies()
        configuration.fastCGIPasses = fastcgiPass.compactMap { try? FastCGIPass(parsing: $0) }
        configuration.residentPatterns = resident
        configuration.residentWorkers = workers
        configuration.residentMaxRequests = maxRequests
        configuration.accessLogPath = accessLog
        configuration.accessLogFormat = accessLogFormat
        configuration.admin = admin
        configuration.errorLogPath = errorLog
        configuration.maxConnections = maxConnections
        configuration.maxSpoolSize = maxSpool
        configuration.scriptLimits = scriptLimits.compactMap { try? ResourceLimit(parsing: $0) }
        configuration.user = user
        configuration.allowRootScripts = allowRootScripts
        configuration.developmentMode = dev
        configuration.headerTimeout = requestTimeout
        configuration.bodyTimeout = requestTimeout
        configuration.minBodyRate = minBodyRate
        configuration.tlsCertificatePath = tlsCert
        configuration.tlsKeyPath = tlsKey
        configuration.threads = threads
        configuration.swiftScripts = .init(
            compilerPath: swiftc, libraryBuildDirectory: swiftLibrary, cacheDirectory: swiftCache, cacheLimit: swiftCacheMax)

        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "cgi-server")
        logger.logLevel = dev ? .debug : .info
        do {
            try CGIServer(configuration: configuration, logger: logger).run(
                adminReady: { url in print("admin listening on \(url)") },
                ready: { url in
                    print("listening on \(url)")
                    fflush(nil)
                })
        } catch let error as CGIServer.StartError {
            throw ValidationError(error.description)
        }
    }
}

extension AccessLogFormat: ExpressibleByArgument {}

extension AdminAddress: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(parsing: argument)
    }
}
