import CGICore

/// The web server's side of one FastCGI request in the Responder role (FastCGI 1.0 §5, §6.2),
/// without I/O: it makes the records to send and says what each record received means.
///
/// A host writes ``opening(parameters:)`` (BEGIN_REQUEST with FCGI_KEEP_CONN, then PARAMS), the
/// body with ``stdin(_:)`` and ``stdinEnd()``, and feeds what it reads to ``receive(_:)``, then
/// takes actions with ``next()`` until it returns nil:
///
/// ```swift
/// var request = FastCGIClientExchange()
/// write(request.opening(parameters: environment) + request.stdinEnd())
/// request.receive(bytes)
/// while let action = request.next() {
///     switch action {
///     case .stdout(let bytes): …   // to ScriptExchange.outputReceived, as a CGI script's stdout
///     case .stderr(let bytes): …   // to the error log
///     case .end(let appStatus): …  // ScriptExchange.outputEnded(exitStatus: .exited(appStatus))
///     case .failed(let error): …   // ScriptExchange.scriptFailed(.applicationFailed(error))
///     }
/// }
/// ```
///
/// Fed bytes, it serves a connection that carries one request at a time: a record for another
/// request id is a protocol violation. On a connection that carries several (FCGI_MPXS_CONNS),
/// a ``FastCGIMultiplexer`` decodes the bytes and feeds each exchange its records with
/// ``receive(record:)``. Of the management records (request id 0), GET_VALUES_RESULT is handed on
/// (``Action/values(_:)``, the answer to ``valuesQuery(_:)``) and the others are skipped. ``abort()`` makes the
/// ABORT_REQUEST record (§5.4) and drops the STDOUT that still arrives; the application's
/// END_REQUEST then ends the exchange as usual, and the connection can serve the next request
/// when ``connectionReusable`` says so.
package struct FastCGIClientExchange: Sendable {
    /// What the host does with what arrived.
    package enum Action: Sendable, Equatable {
        /// Response bytes (STDOUT content): the response head and body, as a CGI script writes them.
        case stdout([UInt8])
        /// Bytes for the error log (STDERR content); lines may be split across records.
        case stderr([UInt8])
        /// END_REQUEST with FCGI_REQUEST_COMPLETE and the application's status (0 for success,
        /// like a CGI script's exit code): the response is complete.
        case end(appStatus: UInt32)
        /// The request failed: a refusal in END_REQUEST, a protocol violation, or the connection
        /// ending before END_REQUEST. The connection cannot be used again.
        case failed(FastCGIApplicationError)
        /// The application's answer to a ``FastCGIClientExchange/valuesQuery(_:)`` sent on the
        /// connection (GET_VALUES_RESULT, §4.1): the variables it knows, by name.
        case values([String: String])
    }

    private enum State: Sendable {
        /// Waiting for the application's records.
        case running(stdoutEnded: Bool)
        /// END_REQUEST arrived, or the exchange failed.
        case done(reusable: Bool)
    }

    /// The request id of every record (FastCGI 1.0 §3.3); 1, as nginx and Apache use.
    package let requestID: UInt16
    /// Whether BEGIN_REQUEST asks the application to keep the connection open (FCGI_KEEP_CONN, §5.1).
    package let keepsConnection: Bool
    private var decoder = FastCGIRecordDecoder()
    private var state = State.running(stdoutEnded: false)
    private var aborted = false

    /// An exchange for the request `requestID` (1 on a connection that carries one request at a
    /// time; the id a ``FastCGIMultiplexer`` allocated on one that carries several).
    package init(requestID: UInt16 = 1, keepsConnection: Bool = true) {
        precondition(requestID != 0, "request id 0 is for management records")
        self.requestID = requestID
        self.keepsConnection = keepsConnection
    }

    // MARK: Records to send

    /// BEGIN_REQUEST (Responder role, §5.1) and the PARAMS stream (§5.2) with `parameters` (the
    /// request's meta-variables, from ``EnvironmentBuilder``), in name order. Pairs are packed
    /// into records of at most 65,528 bytes without splitting a pair unless it is larger than
    /// that on its own (PHP-FPM reads each record's pairs alone); the empty record ends the stream.
    package func opening(parameters: [String: String]) -> [UInt8] {
        var output: [UInt8] = []
        let body: [UInt8] = [0, Self.responderRole, keepsConnection ? Self.keepConnectionFlag : 0, 0, 0, 0, 0, 0]
        FastCGIRecordEncoder.append(FastCGIRecord(.beginRequest, requestID: requestID, content: body), to: &output)
        var pending: [UInt8] = []
        for name in parameters.keys.sorted() {
            let pair = FastCGINameValuePairs.encode([(name, parameters[name]!)])
            if pending.count + pair.count > FastCGIRecordEncoder.streamChunkLength { flushParams(&pending, to: &output) }
            pending += pair
        }
        flushParams(&pending, to: &output)
        FastCGIRecordEncoder.appendEndOfStream(.params, requestID: requestID, to: &output)
        return output
    }

    /// GET_VALUES (§4.1) asking the application for the variables `names` (such as
    /// `FCGI_MAX_CONNS`); sent before ``opening(parameters:)``, its answer arrives as
    /// ``Action/values(_:)`` (an application may also not answer).
    package static func valuesQuery(_ names: [String]) -> [UInt8] {
        var output: [UInt8] = []
        let content = FastCGINameValuePairs.encode(names.map { ($0, "") })
        FastCGIRecordEncoder.append(FastCGIRecord(.getValues, requestID: 0, content: content), to: &output)
        return output
    }

    /// STDIN records (§5.3) carrying `bytes` of the request body; nothing for no bytes.
    package func stdin(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + (bytes.count / FastCGIRecordEncoder.streamChunkLength + 1) * 16)
        FastCGIRecordEncoder.appendStream(.stdin, requestID: requestID, bytes: bytes, to: &output)
        return output
    }

    /// The empty STDIN record that ends the body (sent also for a request without one).
    package func stdinEnd() -> [UInt8] {
        var output: [UInt8] = []
        FastCGIRecordEncoder.appendEndOfStream(.stdin, requestID: requestID, to: &output)
        return output
    }

    /// ABORT_REQUEST (§5.4), for a client that went away or a request past its time; empty when
    /// the request has ended already. STDOUT that arrives afterwards is dropped.
    package mutating func abort() -> [UInt8] {
        guard case .running = state, !aborted else { return [] }
        aborted = true
        var output: [UInt8] = []
        FastCGIRecordEncoder.append(FastCGIRecord(.abortRequest, requestID: requestID), to: &output)
        return output
    }

    // MARK: Records received

    /// Adds bytes read from the connection, however they are split.
    package mutating func receive(_ bytes: UnsafeRawBufferPointer) {
        guard case .running = state else {
            // Anything after END_REQUEST: the connection is not fit for another request.
            if bytes.count > 0 { state = .done(reusable: false) }
            return
        }
        decoder.append(bytes)
    }

    /// Adds bytes read from the connection.
    package mutating func receive(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { receive($0) }
    }

    /// The next thing to do about the bytes received so far; nil until more arrive or once the
    /// exchange is over.
    package mutating func next() -> Action? {
        while case .running = state {
            let record: FastCGIRecord
            do {
                guard let decoded = try decoder.next() else { return nil }
                record = decoded
            } catch {
                return fail(.protocolViolation(error.description))
            }
            if record.isManagement {
                // UNKNOWN_TYPE, or an answer that cannot be read: nothing to do here.
                guard let values = Self.values(in: record) else { continue }
                return .values(values)
            }
            guard record.requestID == requestID else {
                return fail(.protocolViolation("a record for request \(record.requestID) on a connection serving \(requestID)"))
            }
            if let action = receive(record: record) { return action }
        }
        return nil
    }

    /// What one record of this request means, for a connection that carries several requests at
    /// once: a ``FastCGIMultiplexer`` decodes the connection's bytes and hands each request's
    /// records to its exchange (``receive(_:)`` and ``next()`` are then not used). Nil for a
    /// record that asks nothing of the host (the end of STDOUT, empty STDERR, STDOUT after
    /// ``abort()``) and once the exchange is over.
    package mutating func receive(record: FastCGIRecord) -> Action? {
        guard case .running(let stdoutEnded) = state, record.requestID == requestID else { return nil }
        switch record.kind {
        case .stdout:
            if stdoutEnded { return fail(.protocolViolation("STDOUT after the end of the STDOUT stream")) }
            if record.content.isEmpty {
                state = .running(stdoutEnded: true)
            } else if !aborted {
                return .stdout(record.content)
            }
        case .stderr:
            if !record.content.isEmpty { return .stderr(record.content) }
        case .endRequest:
            return end(record.content)
        default:
            return fail(.protocolViolation("a record of type \(record.type), which an application never sends"))
        }
        return nil
    }

    /// The variables of a GET_VALUES_RESULT record (§4.1) by name; nil for another record or one
    /// that cannot be read.
    package static func values(in record: FastCGIRecord) -> [String: String]? {
        guard record.isManagement, record.kind == .getValuesResult,
            let pairs = try? FastCGINameValuePairs.decode(record.content)
        else { return nil }
        return Dictionary(pairs.map { (String(decoding: $0.name, as: UTF8.self), String(decoding: $0.value, as: UTF8.self)) }) {
            first, _ in first
        }
    }

    /// The connection closed (or broke): a failure unless END_REQUEST arrived first.
    package mutating func connectionClosed() -> Action? {
        guard case .running = state else { return nil }
        return fail(
            decoder.hasPartialRecord ? .protocolViolation("the connection ended in the middle of a record") : .connectionClosed)
    }

    /// Whether END_REQUEST arrived (or the exchange failed): nothing more comes for this request.
    package var isOver: Bool {
        if case .done = state { true } else { false }
    }

    /// Whether the connection can carry the next request: END_REQUEST with FCGI_REQUEST_COMPLETE
    /// arrived on a kept connection, with nothing after it.
    package var connectionReusable: Bool {
        if case .done(let reusable) = state { reusable && keepsConnection } else { false }
    }

    private mutating func end(_ content: [UInt8]) -> Action {
        guard content.count == 8 else {
            return fail(.protocolViolation("END_REQUEST with \(content.count) bytes of content, not 8"))
        }
        let appStatus = content[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        switch FastCGIProtocolStatus(rawValue: content[4]) {
        case .requestComplete:
            state = .done(reusable: !decoder.hasPartialRecord)
            return .end(appStatus: appStatus)
        case .overloaded: return fail(.overloaded)
        case .cantMultiplexConnection: return fail(.cannotMultiplex)
        case .unknownRole: return fail(.unknownRole)
        case nil: return fail(.protocolViolation("END_REQUEST with the unknown protocol status \(content[4])"))
        }
    }

    private mutating func fail(_ error: FastCGIApplicationError) -> Action {
        state = .done(reusable: false)
        return .failed(error)
    }

    private func flushParams(_ pending: inout [UInt8], to output: inout [UInt8]) {
        pending.withUnsafeBytes {
            FastCGIRecordEncoder.appendStream(.params, requestID: requestID, bytes: $0, to: &output)
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// FCGI_RESPONDER (§5.1), low byte of the role.
    private static let responderRole: UInt8 = 1
    /// FCGI_KEEP_CONN (§5.1).
    private static let keepConnectionFlag: UInt8 = 1
}
