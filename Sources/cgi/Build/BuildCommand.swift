import ArgumentParser
import CGIGateway
import Glibc

/// `cgi build`: compiles every `.swift` script of a cgi-bin folder ahead of time, into the
/// compile cache that `cgi-server` and `cgi run` use, or into an output folder of plain
/// executables that a server can run with no compiler installed.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Compile the .swift scripts of a cgi-bin folder ahead of time.",
        discussion: """
            Prints one line per script (built, or up to date), and the compiler's messages for a \
            script that does not compile; exits with status 1 when any script failed.
            """
    )

    @Argument(help: "A cgi-bin folder, or a site folder that holds one.")
    var folder: String

    @Option(help: "Also copy each executable here, named like its script without .swift (subfolders kept).")
    var output: String?

    @OptionGroup var swiftScripts: SwiftScriptOptions

    func run() throws {
        let compiler = try swiftScripts.compiler()
        let root = isFolder(folder + "/cgi-bin") ? folder + "/cgi-bin" : folder
        let scripts = swiftScripts(in: root)
        if scripts.isEmpty { print("no .swift scripts in \(root)") }
        var failures = 0
        for script in scripts {
            do {
                let start = ContinuousClock.now
                let compiled = try compiler.compile(root + "/" + script)
                let took = ContinuousClock.now - start
                var line = compiled.compiledNow ? "built \(script) in \(took.formatted)" : "up to date \(script)"
                if let output {
                    let destination = output + "/" + String(script.dropLast(".swift".count))
                    try compiled.copy(to: destination)
                    line += " -> \(destination)"
                }
                print(line)
            } catch {
                failures += 1
                print("error: \(error)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// The `.swift` files under `root`, as paths relative to it, sorted.
    private func swiftScripts(in root: String, under prefix: String = "") -> [String] {
        guard let directory = opendir(root + "/" + prefix) else { return [] }
        defer { closedir(directory) }
        var found: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard !name.hasPrefix(".") else { continue }
            let relative = prefix + name
            if isFolder(root + "/" + relative) {
                found += swiftScripts(in: root, under: relative + "/")
            } else if name.hasSuffix(".swift") {
                found.append(relative)
            }
        }
        return found.sorted()
    }

    private func isFolder(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}

extension Duration {
    /// Seconds with two decimals, such as `1.23 s`.
    fileprivate var formatted: String {
        let hundredths = components.seconds * 100 + components.attoseconds / 10_000_000_000_000_000
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100) s"
    }
}
