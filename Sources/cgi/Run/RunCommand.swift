import ArgumentParser
import CGIGateway
import Glibc

/// `cgi run`: runs a script as `cgi-server` would (same environment builder, same response
/// checks) for a request described with curl-like options, and prints what the server would send.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a CGI script with a simulated request and show the response cgi-server would send.",
        discussion: """
            The request comes from 127.0.0.1 to localhost:8080; the script gets the clean environment \
            cgi-server gives it. A .swift script is compiled first, into the cache cgi-server uses. Prints the response (status line, headers, body), then the script's \
            standard error after a '--- stderr ---' line. Exit status: 0 for a valid response, 1 when \
            the response is invalid (the message says why, as cgi-server's log would), 2 for bad options \
            or a script that is missing or not executable.
            """
    )

    @Argument(help: "The script to run.")
    var script: String

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp("The request method. Default: GET, or POST with -d or -F.", valueName: "method"))
    var method: String?

    @Option(help: "The query string, without the '?'.")
    var query = ""

    @Option(name: .customLong("path-info"), help: "Extra path after the script's name (PATH_INFO), such as /a/b.")
    var pathInfo = ""

    @Option(
        name: [.customShort("d"), .customLong("data")],
        help: "Urlencoded body data; @FILE sends a file's bytes as they are (@- standard input). Repeats join with '&'.")
    var data: [String] = []

    @Option(
        name: [.customShort("F"), .customLong("form")],
        help:
            "A multipart field: name=value or name=@FILE[;type=MIME][;filename=NAME] (default type application/octet-stream, default name FILE's last component; a value holding ';' goes in \"double quotes\", as in curl). Repeatable."
    )
    var form: [String] = []

    @Option(name: [.customShort("H"), .customLong("header")], help: "A request header 'Name: value'. Repeatable.")
    var headers: [String] = []

    @Option(name: [.customShort("b"), .customLong("cookie")], help: "A cookie 'name=value'. Repeatable.")
    var cookies: [String] = []

    @Option(help: "Seconds the script may stay silent before it is stopped (cgi-server answers 504).")
    var timeout: Double = 30

    @Option(name: .customLong("env"), help: "An environment variable NAME=VALUE for the script. Repeatable.")
    var environment: [String] = []

    @Option(name: .customLong("pass-env"), help: "The name of a variable of this environment the script gets too. Repeatable.")
    var passEnvironment: [String] = []

    @Flag(
        help:
            "Development mode, as cgi-server --dev: sets CGI_DEBUG=1, so a script using CGI.run shows its error report in the response (an --env CGI_DEBUG=... wins)."
    )
    var dev = false

    @OptionGroup var swiftScripts: SwiftScriptOptions

    func run() throws {
        var request: SimulatedRequest
        do {
            request = try SimulatedRequest(self)
        } catch {
            StandardStreams.error("cgi run: \(error)")
            throw ExitCode(2)
        }
        for redirects in 0... {
            let result: ScriptResult
            do {
                result = try execute(request, redirects: redirects)
            } catch {
                ResponsePrinter(timeout: timeout, requestID: request.uniqueID).print(error)
                throw ExitCode(1)
            }
            guard case .localRedirect(let target) = result.outcome, let next = request.redirected(to: target) else {
                throw ResponsePrinter(timeout: timeout, requestID: request.uniqueID).print(result)
                    ? ExitCode.success : ExitCode(1)
            }
            StandardStreams.output(ResponsePrinter.standardErrorSection(result.standardError))
            StandardStreams.error("cgi run: local redirect to \(target): running \(next.location.scriptName) with GET")
            request = next
        }
    }

    /// Compiles the script if it is Swift source, runs it and returns what it produced.
    private func execute(_ request: SimulatedRequest, redirects: Int) throws(ScriptFailure) -> ScriptResult {
        let executable: String
        do {
            executable =
                try request.location.isSwiftSource
                ? swiftScripts.compiler().compile(request.location.scriptPath).executable : request.location.scriptPath
        } catch {
            throw .cannotCompile(script: request.location.scriptName, error)
        }
        let runner = ScriptRunner(idleTimeout: .milliseconds(Int(timeout * 1000)))
        do {
            return try runner.run(
                request.location, executable: executable, environment: request.environment, body: request.body,
                method: request.method, redirects: redirects)
        } catch {
            throw .cannotStart(error)
        }
    }
}
