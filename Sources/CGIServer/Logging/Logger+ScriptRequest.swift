import Glibc
import Logging

extension Logger {
    /// This logger with the request id and the script name in its metadata, for the lines about one script run.
    func tagged(request: RequestID, script: String) -> Logger {
        var logger = self
        logger[metadataKey: "request"] = "\(request)"
        logger[metadataKey: "script"] = "\(script)"
        return logger
    }

    /// This logger with a resident worker's process id and its script in its metadata, for the
    /// lines about that worker.
    func tagged(worker pid: pid_t, script: String) -> Logger {
        var logger = self
        logger[metadataKey: "worker"] = "\(pid)"
        logger[metadataKey: "script"] = "\(script)"
        return logger
    }
}
