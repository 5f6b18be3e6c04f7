/// Cancellation of an asynchronous handler whose FastCGI request the web server aborts.
///
/// The handler runs in a task of its own, started at once on the caller's actor
/// (`Task.immediate`). A handler that has returned by the time that start returns saw any
/// abort at its body reads and flushes, as a synchronous one does; otherwise a
/// ``FastCGIAbortWatch`` (in the library, on the one thread the process keeps for it) watches
/// the connection and cancels the task when an ABORT_REQUEST arrives, so a handler that awaits
/// (`try await Task.sleep(for:)`, a network call) sees `CancellationError` at once. The request still gets its one END_REQUEST when the run ends.
/// Only the few lines that need the concurrency runtime are compiled into the script (see ``CGI``).
extension HandlerRun {
    /// Runs the asynchronous `handler` on `isolation` so that an abort of the request cancels
    /// it: in a task of its own for a FastCGI request, directly for a CGI one.
    @_alwaysEmitIntoClient
    func cancellableOnAbort<Result: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ handler: nonisolated(nonsending) () async throws -> Result
    ) async throws -> Result {
        guard canBeAborted else { return try await handler() }
        return try await withoutActuallyEscaping(handler) { handler in
            // The task ends before this function returns, and nothing else calls the handler.
            nonisolated(unsafe) let handler = handler
            let returned = Locked(false)
            let task = Task.immediate {
                _ = isolation
                defer { returned.withLock { $0 = true } }
                return try await handler()
            }
            if returned.withLock({ $0 }) { return try await task.value }
            let watch = watchForAbort { task.cancel() }
            defer { watch?.stop() }
            return try await task.value
        }
    }

    /// Whether the web server can abort this run's request (a FastCGI request).
    @usableFromInline
    var canBeAborted: Bool {
        if case .fastCGI = channel { true } else { false }
    }

    /// Starts watching the request for an abort, which calls `onAbort`; nil for a CGI request
    /// (or when the watch cannot start: the handler then sees the abort only when it reads
    /// the body or sends output).
    @usableFromInline
    func watchForAbort(_ onAbort: @escaping @Sendable () -> Void) -> FastCGIAbortWatch? {
        guard case .fastCGI(let request) = channel else { return nil }
        return FastCGIAbortWatch(request: request, onAbort: onAbort)
    }
}
