import CGICore
import Testing

@testable import CGIGateway

/// The web server's side of FastCGI, record by record: what it sends, and what it makes of
/// every answer an application may give, well-formed or not.
@Suite struct FastCGIClientExchangeTests {
    /// The records in `bytes`, which must decode completely.
    static func records(_ bytes: [UInt8]) throws -> [FastCGIRecord] {
        var decoder = FastCGIRecordDecoder()
        decoder.append(bytes)
        var records: [FastCGIRecord] = []
        while let record = try decoder.next() { records.append(record) }
        #expect(!decoder.hasPartialRecord)
        return records
    }

    /// The bytes of `records` as an application writes them.
    static func wire(_ records: [FastCGIRecord]) -> [UInt8] {
        var output: [UInt8] = []
        for record in records { FastCGIRecordEncoder.append(record, to: &output) }
        return output
    }

    static func endRequest(appStatus: UInt32 = 0, protocolStatus: UInt8 = 0, requestID: UInt16 = 1) -> FastCGIRecord {
        let status = [
            UInt8(appStatus >> 24), UInt8(appStatus >> 16 & 0xFF), UInt8(appStatus >> 8 & 0xFF), UInt8(appStatus & 0xFF),
        ]
        return FastCGIRecord(.endRequest, requestID: requestID, content: status + [protocolStatus, 0, 0, 0])
    }

    /// Feeds `pieces` one after the other and takes every action.
    static func actions(_ pieces: [[UInt8]], exchange: inout FastCGIClientExchange) -> [FastCGIClientExchange.Action] {
        var actions: [FastCGIClientExchange.Action] = []
        for piece in pieces {
            exchange.receive(piece)
            while let action = exchange.next() { actions.append(action) }
        }
        return actions
    }

    static func actions(_ records: [FastCGIRecord]) -> [FastCGIClientExchange.Action] {
        var exchange = FastCGIClientExchange()
        return actions([wire(records)], exchange: &exchange)
    }

    // MARK: Sending

    @Test func openingIsBeginRequestWithKeepConnThenParamsAndTheirEnd() throws {
        let parameters = ["REQUEST_METHOD": "GET", "SCRIPT_FILENAME": "/srv/htdocs/a.php", "QUERY_STRING": "a=1&b=%20"]
        let records = try Self.records(FastCGIClientExchange().opening(parameters: parameters))
        #expect(records.first == FastCGIRecord(.beginRequest, requestID: 1, content: [0, 1, 1, 0, 0, 0, 0, 0]))
        #expect(records.last == FastCGIRecord(.params, requestID: 1))
        let params = records.dropFirst().dropLast()
        #expect(params.allSatisfy { $0.kind == .params && !$0.content.isEmpty })
        let pairs = try FastCGINameValuePairs.decode(params.flatMap(\.content))
        #expect(pairs.map { String(decoding: $0.name, as: UTF8.self) } == parameters.keys.sorted())
        #expect(pairs.map { String(decoding: $0.value, as: UTF8.self) } == parameters.keys.sorted().map { parameters[$0]! })

        let closing = try Self.records(FastCGIClientExchange(requestID: 7, keepsConnection: false).opening(parameters: [:]))
        #expect(
            closing == [
                FastCGIRecord(.beginRequest, requestID: 7, content: [0, 1, 0, 0, 0, 0, 0, 0]),
                FastCGIRecord(.params, requestID: 7),
            ])
    }

    @Test func aValuesQueryIsGetValuesAndItsAnswerIsHandedOn() throws {
        let query = try Self.records(FastCGIClientExchange.valuesQuery(["FCGI_MAX_CONNS", "FCGI_MPXS_CONNS"]))
        #expect(query.count == 1)
        #expect(query.first?.kind == .getValues)
        #expect(query.first?.requestID == 0)
        let asked = try FastCGINameValuePairs.decode(query.first?.content ?? [])
        #expect(asked.map { String(decoding: $0.name, as: UTF8.self) } == ["FCGI_MAX_CONNS", "FCGI_MPXS_CONNS"])
        #expect(asked.allSatisfy { $0.value.isEmpty })

        // The answer comes before the request's records; an unreadable one and UNKNOWN_TYPE are skipped.
        var exchange = FastCGIClientExchange()
        let answer = FastCGINameValuePairs.encode([("FCGI_MAX_CONNS", "256"), ("FCGI_MPXS_CONNS", "0")])
        let actions = Self.actions(
            [
                Self.wire([
                    FastCGIRecord(.getValuesResult, requestID: 0, content: answer),
                    FastCGIRecord(.getValuesResult, requestID: 0, content: [200]),
                    FastCGIRecord(.unknownType, requestID: 0, content: [9, 0, 0, 0, 0, 0, 0, 0]),
                    FastCGIRecord(.stdout, requestID: 1, content: Array("Status: 200\r\n\r\n".utf8)),
                    FastCGIRecord(.stdout, requestID: 1), Self.endRequest(),
                ])
            ], exchange: &exchange)
        #expect(
            actions == [
                .values(["FCGI_MAX_CONNS": "256", "FCGI_MPXS_CONNS": "0"]), .stdout(Array("Status: 200\r\n\r\n".utf8)),
                .end(appStatus: 0),
            ])
        #expect(exchange.connectionReusable)
    }

    @Test func paramsFillRecordsWithoutSplittingAPairUnlessItIsLargerThanARecord() throws {
        var parameters: [String: String] = [:]
        for index in 0..<300 { parameters["HTTP_X_\(index)"] = String(repeating: "v", count: 900 + index) }
        parameters["HTTP_HUGE"] = String(repeating: "h", count: 150_000)
        let records = try Self.records(FastCGIClientExchange().opening(parameters: parameters))
        let params = records.filter { $0.kind == .params && !$0.content.isEmpty }
        #expect(params.allSatisfy { $0.content.count <= FastCGIRecord.maxContentLength })
        #expect(params.count > 6)
        // Every record holds whole pairs, except those the huge pair spans.
        let whole = params.filter { (try? FastCGINameValuePairs.decode($0.content)) != nil }
        #expect(whole.count >= params.count - 3)
        let pairs = try FastCGINameValuePairs.decode(params.flatMap(\.content))
        #expect(pairs.count == parameters.count)
        for pair in pairs {
            #expect(parameters[String(decoding: pair.name, as: UTF8.self)] == String(decoding: pair.value, as: UTF8.self))
        }
    }

    @Test func stdinIsCutIntoRecordsAndEndsWithAnEmptyOne() throws {
        let body = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let exchange = FastCGIClientExchange(requestID: 3)
        let records = try Self.records(body.withUnsafeBytes { exchange.stdin($0) } + exchange.stdinEnd())
        #expect(
            records.allSatisfy { $0.kind == .stdin && $0.requestID == 3 && $0.content.count <= FastCGIRecord.maxContentLength })
        #expect(records.last == FastCGIRecord(.stdin, requestID: 3))
        #expect(records.flatMap(\.content) == body)
        #expect(records.count == 5)
        #expect(try Self.records([UInt8]().withUnsafeBytes { exchange.stdin($0) }).isEmpty)
    }

    // MARK: Receiving

    /// A PHP-FPM-like answer: STDERR, the head and body in STDOUT, the stream's end, END_REQUEST.
    static let answer = wire([
        FastCGIRecord(.stderr, requestID: 1, content: Array("PHP Warning: x\n".utf8)),
        FastCGIRecord(.stdout, requestID: 1, content: Array("Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\n".utf8)),
        FastCGIRecord(.stdout, requestID: 1, content: Array("not here\n".utf8)),
        FastCGIRecord(.stdout, requestID: 1),
        FastCGIRecord(.stderr, requestID: 1),
        endRequest(appStatus: 0),
    ])

    @Test func aResponseSplitAtEveryByteGivesTheSameStreamsAndEnd() throws {
        for split in 0...Self.answer.count {
            var exchange = FastCGIClientExchange()
            let actions = Self.actions([Array(Self.answer[..<split]), Array(Self.answer[split...])], exchange: &exchange)
            var stdout: [UInt8] = []
            var stderr: [UInt8] = []
            for action in actions.dropLast() {
                switch action {
                case .stdout(let bytes): stdout += bytes
                case .stderr(let bytes): stderr += bytes
                default: Issue.record("split at \(split): unexpected \(action)")
                }
            }
            #expect(actions.last == .end(appStatus: 0), "split at \(split)")
            #expect(
                String(decoding: stdout, as: UTF8.self) == "Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnot here\n")
            #expect(String(decoding: stderr, as: UTF8.self) == "PHP Warning: x\n")
            #expect(exchange.isOver && exchange.connectionReusable)
        }
    }

    @Test func stdoutGoesThroughTheSameHeadParserAsACGIScript() throws {
        var exchange = FastCGIClientExchange()
        var script = ScriptExchange(method: "GET")
        var results: [ScriptExchange.Action] = []
        for byte in Self.answer {
            exchange.receive([byte])
            while let action = exchange.next() {
                switch action {
                case .stdout(let bytes): results.append(script.outputReceived(bytes))
                case .end(let status): results.append(script.outputEnded(exitStatus: .exited(Int32(bitPattern: status))))
                default: break
                }
            }
        }
        guard case .sendHead(let head, _) = results.first(where: { if case .sendHead = $0 { true } else { false } }) else {
            Issue.record("no head in \(results)")
            return
        }
        #expect(head.status == 404)
        #expect(results.last == .finish(unframed: false))
    }

    @Test(arguments: [
        (UInt8(1), FastCGIApplicationError.cannotMultiplex, 502), (2, .overloaded, 503), (3, .unknownRole, 502),
    ])
    func refusalsInEndRequestFail(protocolStatus: UInt8, error: FastCGIApplicationError, status: Int) {
        var exchange = FastCGIClientExchange()
        let actions = Self.actions([Self.wire([Self.endRequest(protocolStatus: protocolStatus)])], exchange: &exchange)
        #expect(actions == [.failed(error)])
        #expect(error.httpStatus == status)
        #expect(exchange.isOver && !exchange.connectionReusable)
    }

    @Test func theApplicationStatusIsPassedOn() {
        #expect(Self.actions([Self.endRequest(appStatus: 0x0102_0304)]) == [.end(appStatus: 0x0102_0304)])
    }

    @Test(
        arguments: [
            ([1, 6, 0, 1, 0, 1, 0, 0, 0x41] + [2, 6, 0, 1, 0, 0, 0, 0], "version 2"),
            (wire([endRequest(requestID: 2)]), "request 2"),
            (wire([FastCGIRecord(.stdin, requestID: 1, content: [1])]), "type 5"),
            (wire([FastCGIRecord(type: 42, requestID: 1, content: [])]), "type 42"),
            (wire([FastCGIRecord(.endRequest, requestID: 1, content: [0, 0, 0, 0])]), "4 bytes"),
            (wire([endRequest(protocolStatus: 9)]), "status 9"),
            (wire([FastCGIRecord(.stdout, requestID: 1), FastCGIRecord(.stdout, requestID: 1, content: [1])]), "after the end"),
        ] as [([UInt8], String)])
    func malformedAnswersAreProtocolViolations(bytes: [UInt8], detail: String) {
        var exchange = FastCGIClientExchange()
        let actions = Self.actions([bytes], exchange: &exchange)
        guard case .failed(.protocolViolation(let message)) = actions.last else {
            Issue.record("\(actions)")
            return
        }
        #expect(message.contains(detail), "\(message)")
        #expect(exchange.isOver && !exchange.connectionReusable)
        exchange.receive(Self.wire([Self.endRequest()]))
        #expect(exchange.next() == nil)
    }

    @Test func aConnectionClosedBeforeEndRequestFails() {
        var exchange = FastCGIClientExchange()
        _ = Self.actions([Self.wire([FastCGIRecord(.stdout, requestID: 1, content: [0x41])])], exchange: &exchange)
        #expect(exchange.connectionClosed() == .failed(.connectionClosed))
        #expect(exchange.connectionClosed() == nil)

        var cut = FastCGIClientExchange()
        _ = Self.actions([[1, 6, 0, 1, 0, 9, 0, 0, 0x41]], exchange: &cut)
        guard case .failed(.protocolViolation(let message)) = cut.connectionClosed() else {
            Issue.record("a record cut short is not a violation")
            return
        }
        #expect(message.contains("middle of a record"))

        var ended = FastCGIClientExchange()
        _ = Self.actions([Self.wire([Self.endRequest()])], exchange: &ended)
        #expect(ended.connectionClosed() == nil)
    }

    @Test func abortSendsAbortRequestOnceDropsStdoutAndWaitsForEndRequest() throws {
        var exchange = FastCGIClientExchange()
        #expect(try Self.records(exchange.abort()) == [FastCGIRecord(.abortRequest, requestID: 1)])
        #expect(exchange.abort().isEmpty)
        let actions = Self.actions(
            [
                Self.wire([
                    FastCGIRecord(.stdout, requestID: 1, content: [0x41]), FastCGIRecord(.stderr, requestID: 1, content: [0x42]),
                    FastCGIRecord(.stdout, requestID: 1), Self.endRequest(),
                ])
            ], exchange: &exchange)
        #expect(actions == [.stderr([0x42]), .end(appStatus: 0)])
        #expect(exchange.connectionReusable)
        #expect(exchange.abort().isEmpty)
    }

    @Test func bytesAfterEndRequestMakeTheConnectionUnfitForReuse() {
        var exchange = FastCGIClientExchange()
        let actions = Self.actions([Self.wire([Self.endRequest()]) + [1, 6, 0]], exchange: &exchange)
        #expect(actions == [.end(appStatus: 0)])
        #expect(!exchange.connectionReusable)

        var later = FastCGIClientExchange()
        _ = Self.actions([Self.wire([Self.endRequest()]), [1]], exchange: &later)
        #expect(!later.connectionReusable)

        var closing = FastCGIClientExchange(keepsConnection: false)
        _ = Self.actions([Self.wire([Self.endRequest()])], exchange: &closing)
        #expect(closing.isOver && !closing.connectionReusable)
    }
}
