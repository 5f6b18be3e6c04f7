import ArgumentParser
import Glibc

/// `cgi`: the developer tool. Shows what a request parses to, runs scripts without a server
/// and compiles `.swift` scripts ahead of time. Each subcommand lives in its own file.
@main
struct CGITool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cgi",
        abstract: "Developer tool for swift-cgi: see what a request parses to, run scripts without a server.",
        subcommands: [ParseCommand.self, RunCommand.self, BuildCommand.self, FastCGICommand.self]
    )

    /// Runs the command line, exiting with status 2 (not ArgumentParser's 64) for bad options,
    /// with the usage error on standard error.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                StandardStreams.error(fullMessage(for: error))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}
