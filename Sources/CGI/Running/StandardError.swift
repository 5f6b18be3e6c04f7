/// Standard error, which a CGI server copies to its error log.
enum StandardError {
    /// Writes `text` to standard error as it is (a failure to write is past reporting).
    static func write(_ text: String) {
        try? FileDescriptorOutput.write(Array(text.utf8), to: 2)
    }
}
