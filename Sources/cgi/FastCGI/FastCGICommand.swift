import ArgumentParser
import CGIAdmin
import CGICore
import CGIGateway
import Glibc

/// `cgi fastcgi`: a FastCGI process manager. Binds the socket, keeps `--workers` copies of
/// PROGRAM accepting on it (the socket is their descriptor 0, as FastCGI launches an
/// application) and looks after them, as PHP-FPM's static `pm` does.
struct FastCGICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fastcgi",
        abstract: "Run a FastCGI application as a pool of worker processes on a socket.",
        discussion: """
            Each worker starts with the listening socket as its descriptor 0, in this folder, with \
            only PATH, the --env variables, FCGI_STATUS_FD=3 (a pipe on which it may write 'B' when \
            a request begins and 'E' when it ends) and, with --max-requests, FCGI_MAX_REQUESTS. \
            A worker that dies is restarted (after a growing pause when workers die straight after \
            starting); one that reaches --max-requests is asked to finish (SIGTERM) and replaced; \
            one whose request runs past --request-timeout is killed. SIGHUP starts new workers \
            (recompiling a .swift PROGRAM) and drains the old ones; SIGTERM or SIGINT drains them \
            all and exits 0. Prints 'listening on unix:PATH' or 'listening on fastcgi://HOST:PORT' \
            once the workers are started; workers' output goes to standard error as 'worker PID: ...'. \
            With --admin, an HTTP listener of its own serves /metrics (Prometheus), /status (HTML) and \
            /status?format=json: accepted requests, the listen queue, idle and active processes, \
            times max children was reached, and each worker's requests, request duration and memory; \
            it prints 'admin listening on http://HOST:PORT/' first.
            """
    )

    @Option(
        help: ArgumentHelp(
            "Where to listen: unix:PATH or HOST:PORT. Optional when systemd passes the socket (LISTEN_FDS).",
            valueName: "address"))
    var listen: String?

    @Option(help: "Workers to keep running.")
    var workers = 4

    @Option(help: "Requests after which a worker is replaced. Default: never.")
    var maxRequests: Int?

    @Option(help: "Seconds one request may run before its worker is killed. Default: no limit (30 s to drain).")
    var requestTimeout: Double?

    @Option(help: "The unix socket file's mode, in octal.")
    var socketMode = "0660"

    @Option(
        help: ArgumentHelp(
            "HOST:PORT for /metrics (Prometheus), /status and /status?format=json; off by default. No authentication: use a loopback address.",
            valueName: "host:port"))
    var admin: String?

    @Option(name: .customLong("env"), help: "An environment variable NAME=VALUE for the workers. Repeatable.")
    var environment: [String] = []

    @OptionGroup var swiftScripts: SwiftScriptOptions

    @Argument(help: "The FastCGI program: an executable, a program on PATH, or a .swift script.")
    var program: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the program.")
    var arguments: [String] = []

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard (maxRequests ?? 1) >= 1 else { throw ValidationError("--max-requests must be at least 1") }
        guard (requestTimeout ?? 1) > 0 else { throw ValidationError("--request-timeout must be more than 0") }
        do {
            if let listen {
                _ = try ListenAddress(parsing: listen)
            } else if SocketActivation.passedDescriptors() == nil {
                throw FastCGIError.noListenAddress
            }
            _ = try socketFileMode()
            _ = try workerEnvironment()
            if let admin { _ = try AdminAddress(validating: admin) }
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() throws {
        let program = WorkerProgram(name: program, compiler: swiftScripts.compiler)
        let executable: String
        do {
            executable = try program.resolve()
        } catch {
            StandardStreams.error("cgi fastcgi: \(error)")
            throw ExitCode(2)
        }
        do {
            let socket = try listeningSocket()
            let signals = try ManagerSignals()
            var pool = WorkerPool(
                socket: socket, signals: signals, program: program, executable: executable,
                settings: PoolSettings(
                    workers: workers, maxRequests: maxRequests,
                    requestTimeout: requestTimeout.map { .milliseconds(Int($0 * 1000)) }, arguments: arguments,
                    environment: try workerEnvironment(), workingDirectory: currentDirectory()))
            var adminListener: PoolAdminListener?
            do {
                adminListener = try startAdmin(socket: socket, pool: &pool)
                try pool.start()
            } catch {
                adminListener?.stop()
                socket.close()
                throw error
            }
            if let adminListener { StandardStreams.output(Array("admin listening on \(adminListener.url)\n".utf8)) }
            StandardStreams.output(Array("listening on \(socket.address)\n".utf8))
            pool.run()
            adminListener?.stop()
        } catch {
            StandardStreams.error("cgi fastcgi: \(error)")
            throw ExitCode(1)
        }
    }

    /// With `--admin`, gives the pool a board to post its state to and starts the listener that
    /// shows it (after ``ManagerSignals``, whose signal mask its thread inherits).
    private func startAdmin(socket: ListeningSocket, pool: inout WorkerPool) throws -> PoolAdminListener? {
        guard let admin else { return nil }
        let board = PoolStatusBoard(
            maxChildren: workers, queue: ListenQueue(descriptor: socket.descriptor, address: socket.address))
        pool.board = board
        let pages = PoolAdmin(
            board: board,
            pool: PoolStatusReport.Pool(
                program: program, listen: socket.address.description, maxChildren: workers, startedAt: .now))
        return try PoolAdminListener(address: AdminAddress(validating: admin), pages: pages)
    }

    /// The socket of `--listen`, or else the first one systemd passed (the others are closed on exec).
    private func listeningSocket() throws -> ListeningSocket {
        if let listen { return try ListeningSocket(ListenAddress(parsing: listen), mode: socketFileMode()) }
        guard let passed = SocketActivation.take() else { throw FastCGIError.noListenAddress }
        return try ListeningSocket(inheriting: passed.lowerBound)
    }

    private func socketFileMode() throws(FastCGIError) -> mode_t {
        guard let mode = mode_t(socketMode, radix: 8), mode <= 0o777 else { throw .badSocketMode(socketMode) }
        return mode
    }

    private func workerEnvironment() throws(FastCGIError) -> [String: String] {
        var result = ["PATH": getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"]
        for entry in environment {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else { throw .badEnvironment(entry) }
            result[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        return result
    }

    private func currentDirectory() -> String {
        guard let folder = getcwd(nil, 0) else { return "/" }
        defer { free(folder) }
        return String(cString: folder)
    }
}
