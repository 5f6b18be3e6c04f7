import ArgumentParser
import Glibc

/// `cgi`: the developer tool. Shows what a request parses to, runs scripts without a server
/// and compiles `.swift` scripts ahead of time. Each subcommand lives in its own file.
@main
struct CGITool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cgi",
        abstract: "Developer tool for swift-cgi: see what a request parses to, run scripts without a server.",
        subcommands: [ParseCommand.self, RunCommand.self, BuildCommand.self]
    )

    /// Runs the command line. Bad options of `cgi run` exit with status 2, as its documentation
    /// promises (not ArgumentParser's 64); `cgi parse` keeps 2 for a rejected request.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let isRun = CommandLine.arguments.dropFirst().first == RunCommand.configuration.commandName
            if isRun, exitCode(for: error) == .validationFailure {
                StandardStreams.error(fullMessage(for: error))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}
