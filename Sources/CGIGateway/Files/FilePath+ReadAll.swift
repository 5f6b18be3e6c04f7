import SystemPackage

extension FilePath {
    /// The whole file's bytes.
    /// - Throws: `Errno` when the file cannot be opened or read.
    func readAllBytes() throws -> [UInt8] {
        let file = try FileDescriptor.open(self, .readOnly, options: .closeOnExec)
        defer { try? file.close() }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = try chunk.withUnsafeMutableBytes { buffer in
                try file.read(into: buffer)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }
}
