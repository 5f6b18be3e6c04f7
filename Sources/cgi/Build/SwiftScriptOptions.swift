import ArgumentParser
import CGIGateway

/// Where `.swift` scripts are compiled from and to, for the commands that compile them
/// (`cgi build`, `cgi run`); `cgi-server` takes the same options.
struct SwiftScriptOptions: ParsableArguments {
    @Option(help: "The compile cache folder. Default: $XDG_CACHE_HOME/swift-cgi or ~/.cache/swift-cgi.")
    var swiftCache: String?

    @Option(help: "The SwiftPM build folder holding the CGI library. Default: this executable's folder.")
    var swiftLibrary: String?

    @Option(help: "The swiftc to use. Default: swiftc on PATH.")
    var swiftc: String?

    /// A compiler configured by these options.
    func compiler() throws(ScriptCompilerError) -> ScriptCompiler {
        try ScriptCompiler(.init(compilerPath: swiftc, libraryBuildDirectory: swiftLibrary, cacheDirectory: swiftCache))
    }
}
