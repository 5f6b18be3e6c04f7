import Glibc
import Logging

/// A script's stderr cut into lines, each logged as a warning tagged with the request (or the
/// resident worker) and the script.
/// The text is the script's, hence untrusted: control bytes are logged as `\xNN`, a line longer
/// than 4096 bytes is cut, and no more than ``maxBytes`` of one request's stderr is logged (a
/// last line says how much more there was).
final class LogLineSplitter {
    /// The most bytes of one script's stderr that reach the log.
    static let maxBytes = 256 * 1024
    /// Tagged when the first line is logged (most scripts write none).
    private lazy var logger = tag(untaggedLogger)
    private let untaggedLogger: Logger
    private let tag: (Logger) -> Logger
    private var partialLine: [UInt8] = []
    private var logged = 0
    private var dropped = 0
    private static let maxLine = 4096

    /// Logs to `logger`, tagging each line with `request` and `script`.
    init(logger: Logger, request: RequestID, script: String) {
        untaggedLogger = logger
        tag = { $0.tagged(request: request, script: script) }
    }

    /// Logs to `logger` the output of a resident worker, tagging each line with its `pid` and
    /// `script`; at most ``maxBytes`` of it over the worker's life.
    init(logger: Logger, worker pid: pid_t, script: String) {
        untaggedLogger = logger
        tag = { $0.tagged(worker: pid, script: script) }
    }

    /// Logs the complete lines in `bytes` and keeps the rest for later.
    func append(_ bytes: some Collection<UInt8>) {
        let kept = bytes.prefix(Self.maxBytes - logged)
        logged += kept.count
        dropped += bytes.count - kept.count
        for byte in kept {
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
        if dropped > 0 {
            logger.warning("stderr cut: \(dropped) more bytes not logged (at most \(Self.maxBytes) per request)")
            dropped = 0
        }
    }

    private func logLine() {
        logger.warning("\(AccessLog.escape(String(decoding: partialLine, as: UTF8.self)))")
        partialLine.removeAll(keepingCapacity: true)
    }
}
