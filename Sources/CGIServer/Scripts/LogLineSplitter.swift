import Logging

/// A script's stderr cut into lines, each logged as a warning tagged with the request and the script.
/// The text is the script's, hence untrusted: control bytes are logged as `\xNN`, and a line
/// longer than 4096 bytes is cut.
final class LogLineSplitter {
    /// Tagged when the first line is logged (most scripts write none).
    private lazy var logger = untaggedLogger.tagged(request: request, script: script)
    private let untaggedLogger: Logger
    private let request: RequestID
    private let script: String
    private var partialLine: [UInt8] = []
    private static let maxLine = 4096

    /// Logs to `logger`, tagging each line with `request` and `script`.
    init(logger: Logger, request: RequestID, script: String) {
        untaggedLogger = logger
        self.request = request
        self.script = script
    }

    /// Logs the complete lines in `bytes` and keeps the rest for later.
    func append(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            if byte == UInt8(ascii: "\n") || partialLine.count >= Self.maxLine {
                logLine()
            } else {
                partialLine.append(byte)
            }
        }
    }

    /// The stream ended: logs an unterminated last line.
    func finish() {
        if !partialLine.isEmpty { logLine() }
    }

    private func logLine() {
        logger.warning("\(AccessLog.escape(String(decoding: partialLine, as: UTF8.self)))")
        partialLine.removeAll(keepingCapacity: true)
    }
}
