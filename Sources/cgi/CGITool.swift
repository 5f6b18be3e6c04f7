import ArgumentParser

/// `cgi`: the developer tool. Each subcommand lives in its own file.
@main
struct CGITool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cgi",
        abstract: "Developer tool for swift-cgi: see what a request parses to, run scripts without a server.",
        subcommands: [ParseCommand.self, BuildCommand.self]
    )
}
