import Glibc

/// One connection from the web server: its socket, the records decoded from it, and the
/// request it carries (one at a time: this library does not multiplex, and says so in
/// GET_VALUES).
///
/// The connection answers management records itself, whenever they arrive (GET_VALUES with
/// ``FastCGIServer/limits``, anything else with UNKNOWN_TYPE), refuses a second request id
/// with CANT_MPX_CONN and a role other than responder or authorizer with UNKNOWN_ROLE, and
/// hands the active request its STDIN and ABORT_REQUEST.
final class FastCGIConnection {
    /// The connected socket.
    let socket: Int32
    /// Whether the socket was closed (or failed), after which nothing is read or written.
    private(set) var isClosed = false
    private var decoder = FastCGIRecordDecoder()
    private let limits: FastCGILimits
    /// The format of the answer to a request refused before it reaches the handler.
    private let rejections: RejectionFormat
    /// A request whose BEGIN_REQUEST arrived and whose PARAMS are still coming.
    private var pending: PendingRequest?
    /// The request being answered.
    private(set) var active: FastCGIRequest?
    /// The process environment's reporting variables, which a request's own override.
    private let processReporting: [String: String]

    /// What is known of a request before its PARAMS end.
    private struct PendingRequest {
        var id: UInt16
        var role: FastCGIRequest.Role
        var keepConnection: Bool
        var params: [UInt8] = []
    }

    /// Wraps an accepted socket.
    init(socket: Int32, limits: FastCGILimits, rejections: RejectionFormat, processReporting: [String: String]) {
        self.socket = socket
        self.limits = limits
        self.rejections = rejections
        self.processReporting = processReporting
    }

    /// Whether records are buffered that were not handled yet.
    var hasBufferedBytes: Bool { decoder.hasPartialRecord }

    /// Whether a request's BEGIN_REQUEST arrived and its PARAMS have not ended yet.
    var hasBegunRequest: Bool { pending != nil }

    // MARK: Reading

    /// Reads once from the socket (blocking until something arrives) into the decoder.
    /// Returns false, and closes the connection, at end of stream or on an error.
    @discardableResult
    func receive() -> Bool {
        guard !isClosed else { return false }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var count: Int
        repeat {
            count = chunk.withUnsafeMutableBytes { Glibc.read(socket, $0.baseAddress, $0.count) }
        } while count < 0 && errno == EINTR
        guard count > 0 else {
            if count < 0 || decoder.hasPartialRecord {
                let problem = count < 0 ? "reading failed (errno \(errno))" : FastCGIProtocolError.truncatedRecord.description
                StandardError.write("FastCGI: connection closed: \(problem)\n")
            }
            close()
            return false
        }
        chunk.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        return true
    }

    /// Whether the socket has bytes to read now (a poll that does not wait).
    func hasInputWaiting() -> Bool {
        guard !isClosed else { return false }
        var waiter = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&waiter, 1, 0) > 0
    }

    /// Handles every complete record buffered, and returns a request whose PARAMS have
    /// ended, if one has. A protocol error closes the connection.
    func handleBufferedRecords() -> FastCGIRequest? {
        while !isClosed {
            let record: FastCGIRecord?
            do {
                record = try decoder.next()
            } catch {
                fail(error)
                return nil
            }
            guard let record else { return nil }
            if let request = handle(record) { return request }
        }
        return nil
    }

    /// Forgets the active request once its END_REQUEST went out: its id is inactive again.
    func requestEnded() {
        active = nil
    }

    /// Closes the connection after a protocol error, telling the log why.
    func fail(_ error: FastCGIProtocolError) {
        StandardError.write("FastCGI: connection closed: \(error.description)\n")
        active?.connectionFailed()
        close()
    }

    /// What one record means.
    private func handle(_ record: FastCGIRecord) -> FastCGIRequest? {
        if record.isManagement {
            answerManagement(record)
            return nil
        }
        switch record.kind {
        case .beginRequest:
            begin(record)
        case .params where pending?.id == record.requestID:
            return receiveParams(record.content)
        case .abortRequest where pending?.id == record.requestID:
            // Aborted before the handler saw it: END_REQUEST, and no more.
            let keep = pending!.keepConnection
            pending = nil
            var output: [UInt8] = []
            FastCGIRecordEncoder.appendEndRequest(
                requestID: record.requestID, protocolStatus: .requestComplete, to: &output)
            send(output)
            if !keep { close() }
        case .stdin where active?.id == record.requestID, .data where active?.id == record.requestID:
            active?.receiveStdin(record.content)
        case .abortRequest where active?.id == record.requestID:
            active?.abort()
        default:
            // Records of inactive requests are ignored (FastCGI 1.0 §3.3), as are records of
            // types this library does not know.
            break
        }
        return nil
    }

    /// BEGIN_REQUEST: a new request, or a refusal.
    private func begin(_ record: FastCGIRecord) {
        guard record.content.count == 8 else {
            return fail(.malformedRecord("BEGIN_REQUEST has \(record.content.count) bytes of content, not 8"))
        }
        let roleNumber = UInt16(record.content[0]) << 8 | UInt16(record.content[1])
        let keepConnection = record.content[2] & 1 != 0
        if pending != nil || active != nil {
            let current = pending?.id ?? active?.id
            guard current != record.requestID else {
                return fail(.malformedRecord("a second BEGIN_REQUEST for the active request \(record.requestID)"))
            }
            return end(record.requestID, .cantMultiplexConnection)
        }
        guard let role = FastCGIRequest.Role(rawValue: roleNumber) else {
            end(record.requestID, .unknownRole)
            if !keepConnection { close() }
            return
        }
        pending = PendingRequest(id: record.requestID, role: role, keepConnection: keepConnection)
    }

    /// PARAMS: bytes of the pending request's name-value pairs, bounded; the empty record
    /// makes the request.
    private func receiveParams(_ content: [UInt8]) -> FastCGIRequest? {
        guard var request = pending else { return nil }
        if !content.isEmpty {
            guard request.params.count + content.count <= limits.maxParamsBytes else {
                refuseOversizedParams(request)
                return nil
            }
            request.params += content
            pending = request
            return nil
        }
        pending = nil
        let pairs: [(name: [UInt8], value: [UInt8])]
        do {
            pairs = try FastCGINameValuePairs.decode(request.params)
        } catch {
            fail(error)
            return nil
        }
        var params: [String: String] = [:]
        for (name, value) in pairs {
            let key = String(decoding: name, as: UTF8.self)
            if params[key] == nil { params[key] = String(decoding: value, as: UTF8.self) }
        }
        let made = FastCGIRequest(
            id: request.id, role: request.role, keepConnection: request.keepConnection, params: params,
            processReporting: processReporting, connection: self)
        active = made
        return made
    }

    /// Answers a request whose PARAMS pass the limit with a 431 in the rejection format,
    /// without buffering more. Its `Accept` header is among the PARAMS not kept, so `byAccept`
    /// answers with the HTML page.
    private func refuseOversizedParams(_ request: PendingRequest) {
        pending = nil
        let error = CGIError.requestHeadTooLarge(limit: limits.maxParamsBytes)
        StandardError.write("FastCGI: request rejected (\(error.httpStatus)): \(error.description)\n")
        var output: [UInt8] = []
        rejections.answer(to: error, environment: [:]).withUnsafeBytes {
            FastCGIRecordEncoder.appendStream(.stdout, requestID: request.id, bytes: $0, to: &output)
        }
        FastCGIRecordEncoder.appendEndOfStream(.stdout, requestID: request.id, to: &output)
        FastCGIRecordEncoder.appendEndRequest(requestID: request.id, protocolStatus: .requestComplete, to: &output)
        send(output)
        if !request.keepConnection { close() }
    }

    /// A management record: GET_VALUES answered with what this process does, anything else
    /// with UNKNOWN_TYPE (FastCGI 1.0 §4).
    private func answerManagement(_ record: FastCGIRecord) {
        var output: [UInt8] = []
        if record.kind == .getValues {
            let asked: [(name: [UInt8], value: [UInt8])]
            do {
                asked = try FastCGINameValuePairs.decode(record.content)
            } catch {
                return fail(error)
            }
            let known = limits.values
            let answers = asked.compactMap { pair -> (name: String, value: String)? in
                let name = String(decoding: pair.name, as: UTF8.self)
                return known.first { $0.name == name }
            }
            FastCGIRecordEncoder.append(
                FastCGIRecord(.getValuesResult, requestID: 0, content: FastCGINameValuePairs.encode(answers)), to: &output)
        } else {
            FastCGIRecordEncoder.append(
                FastCGIRecord(.unknownType, requestID: 0, content: [record.type, 0, 0, 0, 0, 0, 0, 0]), to: &output)
        }
        send(output)
    }

    // MARK: Writing

    /// Sends an END_REQUEST for `requestID`.
    private func end(_ requestID: UInt16, _ status: FastCGIProtocolStatus) {
        var output: [UInt8] = []
        FastCGIRecordEncoder.appendEndRequest(requestID: requestID, protocolStatus: status, to: &output)
        send(output)
    }

    /// Writes encoded records; a failure closes the connection (the web server went away).
    func send(_ bytes: [UInt8]) {
        guard !isClosed, !bytes.isEmpty else { return }
        do {
            try FileDescriptorOutput.write(bytes, to: socket)
        } catch {
            StandardError.write("FastCGI: connection closed: \(error)\n")
            active?.connectionFailed()
            close()
        }
    }

    /// Closes the connection: `shutdown` first and the bytes already received read away, so
    /// the web server reads the end of the stream, never a reset.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        shutdown(socket, Int32(SHUT_WR))
        var scratch = [UInt8](repeating: 0, count: 16 << 10)
        while scratch.withUnsafeMutableBytes({ recv(socket, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 {}
        Glibc.close(socket)
    }
}
