import Logging

extension Logger {
    /// This logger with the request id and the script name in its metadata, for the lines about one script run.
    func tagged(request: RequestID, script: String) -> Logger {
        var logger = self
        logger[metadataKey: "request"] = "\(request)"
        logger[metadataKey: "script"] = "\(script)"
        return logger
    }
}
