import CGIGateway

/// Everything `CGIServer` needs to know to serve a site, as one value.
///
/// The `cgi-server` executable fills it from its command line; tests and embedders build it directly.
public struct ServerConfiguration: Sendable {
    /// Folder served at `/` as static files. Nothing outside it is ever served.
    public var documentRoot: String
    /// Folder whose executables run at `/cgi-bin/NAME`. Its files are never served as static files.
    public var scriptRoot: String
    /// Address to listen on: an IPv4 or IPv6 literal, or `localhost`.
    public var host: String = "127.0.0.1"
    /// Port to listen on; `0` lets the system pick a free port (printed in the `listening on` line).
    public var port: Int = 8080
    /// Listening sockets bound by someone else, such as those systemd passes (`LISTEN_FDS`,
    /// sd_listen_fds(3)); when there are any, the server accepts on them and ignores ``host`` and
    /// ``port``. The server owns them from its start.
    public var inheritedSockets: [Int32] = []
    /// Seconds a script may stay silent (no output at all) before it is answered with 504 and its process group is killed.
    public var scriptTimeout: Double = 30
    /// Seconds between SIGTERM and SIGKILL when a script's process group is stopped.
    public var killGrace: Double = 2
    /// Largest request body accepted, in bytes; larger bodies are answered with 413 before a script starts.
    public var maxBodySize: Int = 100 * 1024 * 1024
    /// Largest chunked request body kept in memory before it is spooled to a temporary file, in bytes.
    public var bodyMemoryLimit: Int = 1024 * 1024
    /// Request bodies up to this size, in bytes, are read whole before a script slot is taken, so
    /// that a client sending slowly never holds a slot; larger ones must send this many bytes
    /// first, then stream to the script, which starts once a slot is free (the server stops
    /// reading them until then). A client that waits for `100 Continue` gets it with the slot.
    public var bodyBufferedBeforeScript: Int = 64 * 1024
    /// Most bytes all request bodies collected before their scripts start (chunked ones, and small ones) may hold together (memory and temporary
    /// files in `$TMPDIR`); a body that would go beyond it gets 413.
    public var maxSpoolSize: Int = 1024 * 1024 * 1024
    /// Limits set on every script process (`setrlimit(2)`): CPU seconds, memory, open files,
    /// processes, file size. A script over its limit fails, and the error log names the limits.
    public var scriptLimits: [ResourceLimit] = []
    /// Most scripts running at the same time.
    public var maxScripts: Int = 32
    /// Most requests waiting for a script slot; beyond it requests get 503 with `Retry-After`.
    public var maxQueuedScripts: Int = 64
    /// Seconds a request may wait in the queue for a script slot before it gets 503.
    public var queueTimeout: Double = 10
    /// fnmatch(3) patterns (`*.swift`) on script file names: matching scripts run resident, as
    /// pools of FastCGI workers the server starts on demand, instead of a process per request.
    public var residentPatterns: [String] = []
    /// Most workers of one resident script; more requests wait in a queue of ``maxQueuedScripts``.
    public var residentWorkers: Int = 4
    /// Requests after which a resident worker is replaced, or `nil` for never.
    public var residentMaxRequests: Int? = nil
    /// Seconds a resident worker may wait for a request before it is stopped.
    public var residentIdleTimeout: Double = 10
    /// Names of server environment variables handed to scripts unchanged (scripts otherwise get a clean environment).
    public var passEnvironment: [String] = []
    /// Variables set in every script's environment, in order; a later entry wins.
    public var setEnvironment: [(name: String, value: String)] = []
    /// Whether scripts see the `Authorization` header as `HTTP_AUTHORIZATION` (hidden by default, RFC 3875 §9.2).
    public var passAuthorization: Bool = false
    /// The reverse proxies whose `X-Forwarded-For`, `-Proto` and `-Port` headers set the client's
    /// address, scheme and port (`REMOTE_ADDR`, `HTTPS`, `SERVER_PORT`, and the access log's
    /// address); from any other peer those headers change nothing. None by default.
    public var trustedProxies = TrustedProxies()
    /// Where to write the access log: a file path, `-` for standard output, or `nil` for none.
    public var accessLogPath: String? = nil
    /// How the access log writes its lines: Combined Log Format or JSON lines, both with the
    /// request id and the duration.
    public var accessLogFormat: AccessLogFormat = .combined
    /// A file that takes the place of standard error (server messages and script stderr), or `nil` to keep
    /// standard error. SIGHUP reopens it and the access log by their paths.
    public var errorLogPath: String? = nil
    /// Where the admin listener serves `/metrics` and `/status`, or `nil` for none (the default:
    /// then no metrics are kept). Never the public listener's address.
    public var admin: AdminAddress? = nil
    /// Most client connections open at once, or `nil` for no limit. At the limit the server stops accepting:
    /// new connections wait in the kernel's listen queue until one closes.
    public var maxConnections: Int? = nil
    /// Development mode: error pages show the reason (script errors, invalid response heads, compile errors) instead of a
    /// reference id, and scripts get `CGI_DEBUG=1` so that the `CGI` library shows its error reports too.
    public var developmentMode: Bool = false
    /// Longest request target accepted, in bytes; longer ones get 414.
    public var maxRequestTargetSize: Int = 8 * 1024
    /// Largest request header block accepted, in bytes; larger ones get 431.
    public var maxHeaderSize: Int = 64 * 1024
    /// Seconds allowed for a request head to arrive once a connection is idle or a request has begun; then 408 and close.
    public var headerTimeout: Double = 10
    /// Seconds the request body may stall between two reads before the request gets 408 and the connection closes.
    /// The whole body also has this long from its start, plus one second for every ``minBodyRate`` bytes.
    public var bodyTimeout: Double = 10
    /// The slowest a request body may arrive on average, in bytes per second, once ``bodyTimeout`` is used up
    /// (a trickling upload gets 408 instead of holding the connection and its script).
    public var minBodyRate: Int = 500
    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT before the server closes them.
    public var shutdownGrace: Double = 10
    /// PEM certificate chain for HTTPS; with `tlsKeyPath` it turns TLS on (`HTTPS=on` for scripts).
    public var tlsCertificatePath: String? = nil
    /// PEM private key for `tlsCertificatePath`.
    public var tlsKeyPath: String? = nil
    /// Number of event-loop threads; `nil` means two per core. A loop that starts a script waits
    /// until the script's program is running (`posix_spawn`), so more loops than cores keep the
    /// other connections moving, above all on a machine shared with other work.
    public var threads: Int? = nil
    /// The account to run as after binding, when started as root (`nil`: stay as started). Scripts run as it too.
    public var user: String? = nil
    /// Whether scripts may run as root (without it, a server that would do so refuses to start).
    public var allowRootScripts: Bool = false
    /// Files under the document root passed to FastCGI applications by the end of their names
    /// (`--fastcgi-pass .php=unix:/run/php/php8.2-fpm.sock`); the first match wins.
    public var fastCGIPasses: [FastCGIPass] = []
    /// Where `.swift` scripts are compiled from and to: the `swiftc`, the `CGI` library's build
    /// folder and the compile cache (each defaults when nil).
    public var swiftScripts = ScriptCompiler.Configuration()

    /// A configuration serving `documentRoot` and running scripts from `scriptRoot`, everything else at its default.
    public init(documentRoot: String, scriptRoot: String) {
        self.documentRoot = documentRoot
        self.scriptRoot = scriptRoot
    }

    /// Whether TLS is configured.
    public var usesTLS: Bool { tlsCertificatePath != nil && tlsKeyPath != nil }
}
