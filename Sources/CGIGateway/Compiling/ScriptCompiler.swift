import CGICore
import Glibc
import SystemPackage

/// Turns a `.swift` script (top-level code that may `import CGI`) into an executable, once
/// per content: the first call compiles it, optimised, with line tables and statically
/// linked against the `CGI` library, into a ``CompileCache``; later calls return the cached
/// executable.
///
/// A statically linked executable starts about as fast as a C program (no dynamic loader
/// work), where a dynamically linked Swift program takes about five times as long.
///
/// The cache key covers the script's bytes, the compiler's version, the compile flags and
/// the library's fingerprint, so an edit, a new toolchain or a rebuilt library all give a
/// new executable. Concurrent first calls for the same script (threads or processes)
/// compile it once: the others wait for the cache entry's lock and then find it built. A
/// script the compiler rejects is not compiled again until it changes: its messages are
/// kept in the cache too.
///
/// ```swift
/// let compiler = try ScriptCompiler()
/// let script = try compiler.compile("/srv/site/cgi-bin/hello.swift")
/// // run script.executable as the CGI program
/// ```
///
/// Every method blocks while the compiler runs (about a second for a small script): call
/// it from a thread that may block.
public struct ScriptCompiler: Sendable {
    /// Where the compiler, the library and the cache are; nil fields take their defaults.
    public struct Configuration: Sendable {
        /// The `swiftc` to run; nil looks for `swiftc` on `PATH`.
        public var compilerPath: String?
        /// The build folder of the `CGI` library; nil uses the running executable's folder
        /// (``CGILibraryLocation/nextToExecutable()``).
        public var libraryBuildDirectory: String?
        /// The cache folder; nil uses ``CompileCache/defaultDirectory``.
        public var cacheDirectory: String?
        /// The longest one compile may take before the compiler is stopped.
        public var timeout: Duration
        /// The most disk the cache's executables may take, in bytes; after each compile the least
        /// recently used are removed down to it. nil keeps everything.
        public var cacheLimit: Int?

        /// A configuration; every field defaults as documented on it.
        public init(
            compilerPath: String? = nil, libraryBuildDirectory: String? = nil, cacheDirectory: String? = nil,
            timeout: Duration = .seconds(300), cacheLimit: Int? = nil
        ) {
            self.compilerPath = compilerPath
            self.libraryBuildDirectory = libraryBuildDirectory
            self.cacheDirectory = cacheDirectory
            self.timeout = timeout
            self.cacheLimit = cacheLimit
        }
    }

    /// A script's executable, and whether this call compiled it.
    public struct CompiledScript: Sendable, Equatable {
        /// The path of the executable in the cache.
        public let executable: String
        /// True when this call ran the compiler; false when the cache already had it.
        public let compiledNow: Bool

        /// Copies the executable to `destination` (mode 0755, replacing a file there, creating
        /// missing folders), for a cgi-bin folder that needs no compiler at run time. The copy
        /// appears complete or not at all.
        /// - Throws: ``ScriptCompilerError/outputUnwritable(path:errno:)``.
        public func copy(to destination: String) throws(ScriptCompilerError) {
            do {
                let executablePermissions: FilePermissions = [.ownerReadWriteExecute, .groupReadExecute, .otherReadExecute]
                try FilePath(destination).removingLastComponent().createFolders(permissions: executablePermissions)
                try FilePath(destination).writeAtomically(WholeFile.read(executable), permissions: executablePermissions)
            } catch let error as WholeFile.ReadError {
                throw .outputUnwritable(path: destination, errno: error.errno)
            } catch {
                throw .outputUnwritable(path: destination, errno: (error as? Errno)?.rawValue ?? EIO)
            }
        }
    }

    /// The flags every script is compiled with: optimised, with line tables (`-g`, so that a
    /// crash report can name the file, line and failed check; debug sections are not loaded
    /// when the script starts), statically linked.
    public static let flags = ["-O", "-g", "-static-executable"]

    /// The `swiftc` in use.
    public let compilerPath: String
    /// What `swiftc --version` printed.
    public let compilerVersion: String
    /// The `CGI` library scripts are linked with.
    public let library: CGILibraryLocation
    /// Where executables are kept.
    public let cache: CompileCache
    /// The longest one compile may take.
    public let timeout: Duration
    /// The cache's size limit in bytes (``Configuration/cacheLimit``).
    public let cacheLimit: Int?
    /// The flags that link with lld in ``StartupOrder``'s layout, or none when the toolchain
    /// has no lld or the order file cannot be written.
    private let linkFlags: [String]
    /// Everything besides the source that an executable depends on, as bytes for the cache
    /// key: taken once, so a library rebuilt while this compiler lives is noticed by the next one.
    private let identity: [UInt8]

    /// Finds the compiler (and asks for its version), the library and the cache folder.
    /// - Throws: ``ScriptCompilerError`` when one of them cannot be used.
    public init(_ configuration: Configuration = Configuration()) throws(ScriptCompilerError) {
        if let path = configuration.compilerPath {
            compilerPath = path
        } else {
            compilerPath = try Self.findOnPath("swiftc")
        }
        if let buildDirectory = configuration.libraryBuildDirectory {
            library = try CGILibraryLocation(buildDirectory: buildDirectory)
        } else {
            library = try CGILibraryLocation.nextToExecutable()
        }
        cache = try CompileCache(directory: configuration.cacheDirectory ?? CompileCache.defaultDirectory)
        timeout = configuration.timeout
        cacheLimit = configuration.cacheLimit
        let version = try Self.askVersion(of: compilerPath, in: cache.directory, timeout: timeout)
        guard let status = version.status, status.isSuccess else {
            let ending = version.status.map { "ended with \($0)" } ?? "did not answer in time"
            throw .compilerUnusable(path: compilerPath, reason: "`swiftc --version` \(ending)")
        }
        compilerVersion = String(decoding: version.output, as: UTF8.self)
        let order = StartupOrder.linkerAvailable(besides: compilerPath) ? StartupOrder.file(in: cache.directory) : nil
        linkFlags = order?.flags ?? []
        identity = Array(
            ([""] + [compilerVersion] + Self.flags + linkFlags + [library.fingerprint]).joined(separator: "\0").utf8)
    }

    /// The executable for the script at `path`, compiled now unless the cache has it.
    /// - Throws: ``ScriptCompilerError/compileFailed(script:diagnostics:)`` with the
    ///   compiler's messages when the script does not compile; other cases when the script,
    ///   the compiler or the cache cannot be used.
    public func compile(_ path: String) throws(ScriptCompilerError) -> CompiledScript {
        let source: [UInt8]
        do {
            source = try WholeFile.read(path)
        } catch {
            throw .sourceUnreadable(path: path, errno: error.errno)
        }
        let executable = cache.path(name: Self.name(of: path), key: CompileCache.key(for: source + identity))
        func cached() throws(ScriptCompilerError) -> CompiledScript? {
            if cache.contains(executable) {
                cache.markUsed(executable)
                return CompiledScript(executable: executable, compiledNow: false)
            }
            if let diagnostics = cache.recordedFailure(of: executable) {
                throw .compileFailed(script: path, diagnostics: diagnostics)
            }
            return nil
        }
        if let script = try cached() { return script }
        return try cache.withLock(on: executable) { () throws(ScriptCompilerError) in
            if let script = try cached() { return script }
            let partial = executable + ".partial"
            let absolute = path.hasPrefix("/") ? path : Self.currentDirectory + "/" + path
            let compile = try Self.run(
                compilerPath, arguments(source: absolute, output: partial), in: cache.directory, timeout: timeout)
            guard let status = compile.status else {
                throw .compileTimedOut(script: path, seconds: Int(timeout.components.seconds))
            }
            guard status.isSuccess else {
                let diagnostics = String(decoding: compile.output, as: UTF8.self)
                if case .exited = status { cache.recordFailure(diagnostics, of: executable) }
                throw .compileFailed(script: path, diagnostics: diagnostics)
            }
            try cache.install(partial, at: executable)
            if let cacheLimit { cache.prune(toAtMost: cacheLimit, keeping: executable) }
            return CompiledScript(executable: executable, compiledNow: true)
        }
    }

    /// The compiler's arguments for one script.
    private func arguments(source: String, output: String) -> [String] {
        Self.flags + linkFlags + ["-module-name", "Script", "-I", library.modulesDirectory, source]
            + library.objectFiles + ["-o", output]
    }

    /// Runs `swiftc --version`.
    private static func askVersion(
        of compiler: String, in folder: String, timeout: Duration
    ) throws(ScriptCompilerError) -> CapturedProcess {
        try run(compiler, ["--version"], in: folder, timeout: timeout)
    }

    /// Runs the compiler in `folder` with only what it needs from this process's environment,
    /// and `TMPDIR` set to a new folder inside `folder`, removed afterwards: the driver makes a
    /// `TemporaryDirectory.XXXXXX` in `TMPDIR` and leaves it behind for `--version` and every
    /// static link (an empty folder in /tmp for each compiled script otherwise).
    private static func run(
        _ compiler: String, _ arguments: [String], in folder: String, timeout: Duration
    ) throws(ScriptCompilerError) -> CapturedProcess {
        var template = Array((folder + "/tmp-XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else { throw .cacheUnusable(path: folder, errno: errno) }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { FilePath(temporary).removeTree() }
        var environment = ["TMPDIR": temporary]
        for name in ["PATH", "HOME"] {
            environment[name] = getenv(name).map { String(cString: $0) }
        }
        do {
            return try CapturedProcess.run(
                compiler, arguments: arguments, environment: environment, workingDirectory: folder, timeout: timeout)
        } catch {
            throw .compilerUnusable(path: compiler, reason: error.description)
        }
    }

    /// The script's file name without `.swift`, which names its cache entries.
    private static func name(of path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        return file.hasSuffix(".swift") ? String(file.dropLast(6)) : file
    }

    private static var currentDirectory: String {
        guard let folder = getcwd(nil, 0) else { return "." }
        defer { free(folder) }
        return String(cString: folder)
    }

    private static func findOnPath(_ program: String) throws(ScriptCompilerError) -> String {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") where access("\(folder)/\(program)", X_OK) == 0 {
            return "\(folder)/\(program)"
        }
        throw .compilerNotFound("\(program) on PATH \(path)")
    }
}
