extension FileIO {
    /// The whole content of the file at `path`, also of `/proc` files, whose size `stat`
    /// does not report.
    /// - Throws: ``CGIError/io(operation:errno:)`` when the file cannot be opened or read.
    static func readAll(_ path: String) throws -> [UInt8] {
        var content: [UInt8] = []
        try readChunks(of: path) { content.append(contentsOf: $0) }
        return content
    }
}
