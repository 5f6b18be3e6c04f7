import ArgumentParser
import Glibc

/// `cgi`: the developer tool. Runs scripts without a server and shows what requests parse to.
@main
struct CGITool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cgi",
        abstract: "Develop CGI scripts without a server.",
        subcommands: [RunCommand.self, BuildCommand.self]
    )

    /// Runs the command line, exiting with status 2 (not ArgumentParser's 64) for bad options.
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
