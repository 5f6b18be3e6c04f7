import Glibc

/// The file that keeps one error report: `<reference>.txt` in the report folder, created
/// new (never overwriting) and readable by the script's user alone (mode 0600), since a
/// report shows request data.
enum ReportFile {
    /// The file name of the report `id`.
    static func name(for id: ReportID) -> String {
        "\(id).txt"
    }

    /// The flags a report file is created with: a new file, write only.
    static let openFlags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
    /// The permissions of a report file: read and write for the owner only.
    static let mode: mode_t = 0o600

    /// Writes `text` as the report `id` in `directory` and returns the file's path.
    /// - Throws: ``CGIError/io(operation:errno:)`` when the file cannot be created or written.
    static func write(_ text: String, id: ReportID, in directory: String) throws -> String {
        let path = directory + "/" + name(for: id)
        let descriptor = try FileIO.open(path, flags: openFlags, mode: mode)
        defer { close(descriptor) }
        try Array(text.utf8).withUnsafeBytes { try FileIO.write($0, to: descriptor, path: path) }
        return path
    }
}
