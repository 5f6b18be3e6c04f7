import Glibc

/// Source positions for code addresses, from the line tables (DWARF) of a program compiled
/// with `-g`, as LLVM's `llvm-symbolizer` reads them in a child process.
///
/// Line tables also name the checks that failed in optimized code: where the Swift runtime
/// traps without printing a message (an index out of range, a force-unwrapped nil), the
/// innermost position of the trap is a function called `Swift runtime failure: MESSAGE`.
///
/// A lookup allocates, starts a process and waits for it (tens of milliseconds), so the
/// crash handler does it last, once the response is complete. The symbolizer is the one
/// `CGI_SYMBOLIZER` names, or else `llvm-symbolizer` on `PATH` (the Swift toolchain ships it).
enum LineTables {
    /// One source position; an address inside inlined code has several.
    struct Position {
        /// The function, as the debug information names it (mangled for Swift).
        var function: String
        /// The source file's path when it was compiled, or `<compiler-generated>`.
        var file: String
        /// The line, 1 and up; 0 when unknown.
        var line: Int

        /// The message of a runtime check that failed here, such as "Index out of range",
        /// or nil when this is an ordinary function.
        var runtimeFailure: String? {
            let prefix = "Swift runtime failure: "
            return function.hasPrefix(prefix) ? String(function.dropFirst(prefix.count)) : nil
        }

        /// Whether the position names a line of a real file.
        var isInSource: Bool {
            line > 0 && file.hasPrefix("/")
        }
    }

    /// For each address, its positions, innermost first (empty when unknown); nil when no
    /// symbolizer can be run.
    static func positions(of addresses: [UInt], images: ImageMap) -> [[Position]]? {
        guard let symbolizer = findSymbolizer() else { return nil }
        var found = [[Position]](repeating: [], count: addresses.count)
        for image in images.images {
            let indices = addresses.indices.filter { image.contains(addresses[$0]) }
            guard !indices.isEmpty else { continue }
            let bias = isPositionIndependent(image.path) ? image.base : 0
            let arguments = ["--obj=" + image.path] + indices.map { "0x" + String(addresses[$0] &- bias, radix: 16) }
            guard let output = run(symbolizer, arguments) else { return nil }
            for (index, positions) in zip(indices, parse(output)) { found[index] = positions }
        }
        return found
    }

    /// Parses `llvm-symbolizer`'s output: for each address, a function line and a
    /// `file:line:column` line per inlined level, then a blank line.
    static func parse(_ output: String) -> [[Position]] {
        // Split by Character, not by a "\n\n" String: that `split` comes from
        // _StringProcessing, which would grow every script by a megabyte of code.
        var blocks: [[Position]] = []
        var block: [Position] = []
        var function: Substring?
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                if !block.isEmpty { blocks.append(block) }
                block = []
            } else if let name = function {
                // The file name may itself hold colons: take line and column from the right.
                let place = line.split(separator: ":", omittingEmptySubsequences: false)
                let number = place.count >= 3 ? Int(place[place.count - 2]) ?? 0 : 0
                let file = place.count >= 3 ? place.dropLast(2).joined(separator: ":") : String(line)
                block.append(Position(function: String(name), file: file, line: number))
                function = nil
            } else {
                function = line
            }
        }
        if !block.isEmpty { blocks.append(block) }
        return blocks
    }

    /// The symbolizer to run, or nil when there is none.
    private static func findSymbolizer() -> String? {
        if let named = getenv("CGI_SYMBOLIZER").map({ String(cString: $0) }), access(named, X_OK) == 0 {
            return named
        }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/llvm-symbolizer" }.first { access($0, X_OK) == 0 }
    }

    /// Whether the ELF file at `path` is loaded at a bias (ET_DYN: a shared object or a
    /// position-independent executable), so that its addresses are offsets from its base.
    private static func isPositionIndependent(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var type: UInt16 = 0
        return pread(descriptor, &type, 2, 16) == 2 && UInt16(littleEndian: type) == 3
    }

    /// Runs `program` with `arguments` (no shell, an empty environment, standard error
    /// discarded) and returns what it wrote to standard output, or nil when it could not run
    /// or failed.
    private static func run(_ program: String, _ arguments: [String]) -> String? {
        var ends: (read: Int32, write: Int32) = (-1, -1)
        let opened = withUnsafeMutableBytes(of: &ends) { pipe($0.baseAddress!.assumingMemoryBound(to: Int32.self)) }
        guard opened == 0 else { return nil }
        _ = fcntl(ends.read, F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, ends.write, 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, ends.write)
        // A crash handler runs with its signal blocked, which the child would inherit.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))

        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var environment: [UnsafeMutablePointer<CChar>?] = [nil]
        var child: pid_t = 0
        let spawned = posix_spawn(&child, program, &actions, &attributes, argv, &environment)
        close(ends.write)
        defer { close(ends.read) }
        guard spawned == 0 else { return nil }

        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(ends.read, &chunk, chunk.count)
            if count > 0 {
                output += chunk[..<count]
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED and WEXITSTATUS, which the Glibc module does not import.
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else { return nil }
        return String(decoding: output, as: UTF8.self)
    }
}
