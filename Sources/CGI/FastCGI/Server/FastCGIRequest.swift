import Glibc

/// One FastCGI request being answered: its PARAMS (the meta-variables a CGI script finds in
/// its environment), its STDIN (the body, read as the handler asks for it), and the streams
/// it answers on (STDOUT for the response, STDERR for the log).
///
/// While the handler runs, the request reads its connection only when the handler reads the
/// body or sends output, and handles what else arrives on the way: management records are
/// answered, another request id is refused, ABORT_REQUEST marks this request aborted, after
/// which reading the body or sending output throws ``FastCGIRequestAborted``. ``end()`` sends
/// the one END_REQUEST.
///
/// The handler's thread is not the only one to use it: ``log(_:separator:)`` may be called
/// from any thread, and while an asynchronous handler runs, a ``FastCGIAbortWatch`` reads the
/// connection for it. Whatever touches the connection takes ``exclusive`` first.
@usableFromInline
final class FastCGIRequest: @unchecked Sendable {
    /// The roles this library plays (FastCGI 1.0 §6); the filter role gets UNKNOWN_ROLE.
    enum Role: UInt16 {
        /// Answers an HTTP request, as a CGI script does.
        case responder = 1
        /// Decides whether a request may proceed: 200 allows it (Apache mod_authnz_fcgi).
        case authorizer = 2
    }

    /// The request id on the connection.
    let id: UInt16
    /// The role asked for.
    let role: Role
    /// Whether the web server keeps the connection after this request (FCGI_KEEP_CONN).
    let keepConnection: Bool
    /// The meta-variables.
    let params: [String: String]
    /// The variables that choose error reporting: the process environment's, overridden by
    /// the request's.
    let reportingEnvironment: [String: String]
    /// Whether the web server aborted the request, or the connection failed under it.
    private(set) var isAborted = false
    private let connection: FastCGIConnection
    /// Held while the connection or the request's state is used.
    private let exclusive = Locked(())
    /// STDIN content received and not read yet.
    private var stdin: [UInt8] = []
    private var stdinOffset = 0
    private var stdinEnded = false
    private var sentStderr = false
    private var ended = false
    /// The variables ``ErrorReporting/fromEnvironment(_:)`` reads.
    static let reportingVariables = ["CGI_DEBUG", "CGI_ERROR_LOG_DIR"]
    /// The most STDIN bytes held while the handler sends output without reading the body;
    /// beyond it, they wait in the socket.
    private static let maxHeldStdin = 1 << 20
    /// The request handed to the handler and not yet ended, to which ``log(_:separator:)``
    /// writes.
    static let current = Locked<FastCGIRequest?>(nil)

    init(
        id: UInt16, role: Role, keepConnection: Bool, params: [String: String],
        processReporting: [String: String], connection: FastCGIConnection
    ) {
        self.id = id
        self.role = role
        self.keepConnection = keepConnection
        self.params = params
        self.reportingEnvironment = processReporting.merging(
            params.filter { Self.reportingVariables.contains($0.key) }
        ) { $1 }
        self.connection = connection
    }

    // MARK: What the connection hands over

    /// STDIN content; an empty record ends the body.
    func receiveStdin(_ content: [UInt8]) {
        if content.isEmpty {
            stdinEnded = true
        } else if !stdinEnded {
            stdin += content
        }
    }

    /// ABORT_REQUEST.
    func abort() {
        isAborted = true
    }

    /// The connection failed or broke the protocol: nothing more can be read or sent.
    func connectionFailed() {
        isAborted = true
        stdinEnded = true
    }

    // MARK: What the handler uses

    /// Reads up to `buffer.count` bytes of the body; 0 once STDIN ended.
    /// - Throws: ``FastCGIRequestAborted`` once the request was aborted.
    func readBody(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try exclusive.withLock { _ in try readBodyExclusively(into: buffer) }
    }

    private func readBodyExclusively(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while stdinOffset == stdin.count && !stdinEnded && !isAborted {
            stdin.removeAll(keepingCapacity: true)
            stdinOffset = 0
            // No other request can begin while this one is active (CANT_MPX_CONN).
            _ = connection.handleBufferedRecords()
            if stdinOffset == stdin.count && !stdinEnded && !isAborted && !connection.receive() {
                connectionFailed()
            }
        }
        if isAborted { throw FastCGIRequestAborted() }
        let count = min(buffer.count, stdin.count - stdinOffset)
        if count > 0 {
            stdin.withUnsafeBytes {
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[stdinOffset..<stdinOffset + count]))
            }
            stdinOffset += count
        }
        return count
    }

    /// Sends response bytes as STDOUT records, after handling what arrived meanwhile.
    /// - Throws: ``FastCGIRequestAborted`` once the request was aborted.
    func writeStdout(_ bytes: [UInt8]) throws {
        try exclusive.withLock { _ in try writeStdoutExclusively(bytes) }
    }

    private func writeStdoutExclusively(_ bytes: [UInt8]) throws {
        handleWaitingInput()
        if isAborted { throw FastCGIRequestAborted() }
        var output: [UInt8] = []
        bytes.withUnsafeBytes { FastCGIRecordEncoder.appendStream(.stdout, requestID: id, bytes: $0, to: &output) }
        connection.send(output)
        if isAborted { throw FastCGIRequestAborted() }
    }

    /// Sends a message for the web server's error log as STDERR records; returns false, having
    /// sent nothing, once the request was aborted or ended.
    @discardableResult
    func writeStderr(_ text: String) -> Bool {
        exclusive.withLock { _ in
            guard !isAborted, !ended else { return false }
            var output: [UInt8] = []
            Array(text.utf8).withUnsafeBytes {
                FastCGIRecordEncoder.appendStream(.stderr, requestID: id, bytes: $0, to: &output)
            }
            sentStderr = true
            connection.send(output)
            return true
        }
    }

    /// Ends the request with its one END_REQUEST (after the empty records that close STDOUT
    /// and STDERR), and closes the connection unless the web server keeps it.
    func end() {
        stopBeingCurrent()
        exclusive.withLock { _ in endExclusively() }
    }

    /// Ends the request as ``end()`` does, with `lastStdout` as the response's last bytes in
    /// the same write: the web server reads the end of the response in one go.
    /// - Throws: ``FastCGIRequestAborted`` when the request was aborted (it is ended all the same).
    func end(lastStdout: [UInt8]) throws {
        stopBeingCurrent()
        try exclusive.withLock { _ in
            guard !ended else { return }
            handleWaitingInput()
            endExclusively(lastStdout: lastStdout)
            if isAborted { throw FastCGIRequestAborted() }
        }
    }

    /// `log()` no longer reaches this request.
    private func stopBeingCurrent() {
        FastCGIRequest.current.withLock { if $0 === self { $0 = nil } }
    }

    private func endExclusively(lastStdout: [UInt8] = []) {
        guard !ended else { return }
        ended = true
        var output: [UInt8] = []
        if !isAborted {
            lastStdout.withUnsafeBytes { FastCGIRecordEncoder.appendStream(.stdout, requestID: id, bytes: $0, to: &output) }
            FastCGIRecordEncoder.appendEndOfStream(.stdout, requestID: id, to: &output)
            if sentStderr { FastCGIRecordEncoder.appendEndOfStream(.stderr, requestID: id, to: &output) }
        }
        FastCGIRecordEncoder.appendEndRequest(
            requestID: id, appStatus: isAborted ? 1 : 0, protocolStatus: .requestComplete, to: &output)
        connection.send(output)
        connection.requestEnded()
        if !keepConnection { connection.close() }
    }

    /// For a ``FastCGIAbortWatch``: handles the records waiting on the connection, without
    /// waiting. Returns whether the request is aborted (or its connection failed), and whether
    /// the body the handler has not read reached the most held, so nothing more is read for
    /// now.
    func handleArrivals() -> (aborted: Bool, holdingMost: Bool) {
        exclusive.withLock { _ in
            handleWaitingInput()
            return (isAborted, stdin.count - stdinOffset >= Self.maxHeldStdin)
        }
    }

    /// The connection's socket, which a ``FastCGIAbortWatch`` polls.
    var socket: Int32 { connection.socket }

    /// The socket and request id a crash report is sent to.
    var crashTarget: (socket: Int32, requestID: UInt16) { (connection.socket, id) }

    /// Handles the records that arrived while the handler was busy (GET_VALUES, ABORT, …),
    /// without waiting; STDIN held for the handler stays bounded.
    private func handleWaitingInput() {
        while !isAborted && stdin.count - stdinOffset < Self.maxHeldStdin && connection.hasInputWaiting() {
            guard connection.receive() else { return connectionFailed() }
            _ = connection.handleBufferedRecords()
        }
    }
}

/// Thrown by a FastCGI request's body reads and writes once the web server aborted the
/// request (ABORT_REQUEST) or its connection failed: the handler's work is no longer wanted.
public struct FastCGIRequestAborted: Error, CustomStringConvertible {
    /// A sentence for the log.
    public var description: String { "the web server aborted the request" }
}
