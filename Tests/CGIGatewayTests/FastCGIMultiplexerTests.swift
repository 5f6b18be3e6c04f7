import CGICore
import Testing

@testable import CGIGateway

/// Several requests on one FastCGI connection: id allocation, and records routed by id to each
/// request's exchange, without sockets.
@Suite struct FastCGIMultiplexerTests {
    typealias Exchanges = FastCGIClientExchangeTests

    /// Feeds `bytes` to `multiplexer` in pieces of `step` bytes (the rest in the last) and routes
    /// every record to the exchange of its id; returns each request's actions and the failures of
    /// the connection.
    static func route(
        _ bytes: [UInt8], step: Int, multiplexer: inout FastCGIMultiplexer, exchanges: inout [UInt16: FastCGIClientExchange]
    ) -> (actions: [UInt16: [FastCGIClientExchange.Action]], failures: [FastCGIApplicationError]) {
        var actions: [UInt16: [FastCGIClientExchange.Action]] = [:]
        var failures: [FastCGIApplicationError] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + step, bytes.count)
            multiplexer.receive(Array(bytes[offset..<end]))
            offset = end
            while let event = multiplexer.next() {
                switch event {
                case .record(let record):
                    if let action = exchanges[record.requestID]?.receive(record: record) {
                        actions[record.requestID, default: []].append(action)
                        if exchanges[record.requestID]?.isOver == true { multiplexer.release(record.requestID) }
                    }
                case .values: break
                case .failed(let error): failures.append(error)
                }
            }
        }
        return (actions, failures)
    }

    /// The records of a whole answer for request `id` with body `body`, cut into two STDOUT records.
    static func answer(_ id: UInt16, _ body: String) -> [FastCGIRecord] {
        let bytes = Array("Content-Type: text/plain\r\n\r\n\(body)".utf8)
        return [
            FastCGIRecord(.stdout, requestID: id, content: Array(bytes.prefix(10))),
            FastCGIRecord(.stderr, requestID: id, content: Array("log \(id)\n".utf8)),
            FastCGIRecord(.stdout, requestID: id, content: Array(bytes.dropFirst(10))),
            FastCGIRecord(.stdout, requestID: id), Exchanges.endRequest(appStatus: UInt32(id), requestID: id),
        ]
    }

    @Test func idsStartAtOneSkipLiveOnesAndStopAtTheCapacity() {
        var multiplexer = FastCGIMultiplexer(capacity: 3)
        #expect(multiplexer.allocate() == 1)
        #expect(multiplexer.allocate() == 2)
        #expect(multiplexer.allocate() == 3)
        #expect(multiplexer.allocate() == nil)
        #expect(!multiplexer.hasRoom)
        multiplexer.release(2)
        // The freed id is not handed out while 1 and 3 live; it comes round again.
        #expect(multiplexer.allocate() == 4)
        multiplexer.release(1)
        multiplexer.release(3)
        multiplexer.release(4)
        var seen: Set<UInt16> = []
        for _ in 0..<70_000 {
            let id = multiplexer.allocate()!
            #expect(id != 0)
            seen.insert(id)
            if id == 9 { continue }  // 9 stays live all the way round
            multiplexer.release(id)
        }
        #expect(seen.count == Int(UInt16.max))
        #expect(multiplexer.isLive(9) && multiplexer.liveCount == 1)
    }

    @Test func capacityFollowsTheAnswerWithinTheCap() {
        #expect(FastCGIMultiplexer.capacity(answering: ["FCGI_MPXS_CONNS": "1", "FCGI_MAX_REQS": "8"]) == 8)
        #expect(FastCGIMultiplexer.capacity(answering: ["FCGI_MPXS_CONNS": "1", "FCGI_MAX_REQS": "50000"]) == 16)
        #expect(FastCGIMultiplexer.capacity(answering: ["FCGI_MPXS_CONNS": "1"]) == 16)
        #expect(FastCGIMultiplexer.capacity(answering: ["FCGI_MPXS_CONNS": "1", "FCGI_MAX_REQS": "0"]) == 16)
        #expect(FastCGIMultiplexer.capacity(answering: ["FCGI_MPXS_CONNS": "0", "FCGI_MAX_REQS": "8"]) == nil)
        #expect(FastCGIMultiplexer.capacity(answering: [:]) == nil)
        #expect(FastCGIMultiplexer(capacity: 100_000).capacity == 16)
    }

    @Test func interleavedAnswersOfThreeRequestsSplitAtEveryByteReachTheirExchanges() {
        // Round robin over the three answers, record by record, with a GET_VALUES_RESULT between.
        let answers = [Self.answer(1, "one\n"), Self.answer(2, "two\n"), Self.answer(3, "three\n")]
        var records: [FastCGIRecord] = []
        for index in 0..<5 {
            for answer in answers { records.append(answer[index]) }
            if index == 1 {
                records.append(
                    FastCGIRecord(
                        .getValuesResult, requestID: 0, content: FastCGINameValuePairs.encode([("FCGI_MPXS_CONNS", "1")])))
            }
        }
        let bytes = Exchanges.wire(records)
        for step in [1, 2, 3, 7, 8, 9, 100, bytes.count] {
            var multiplexer = FastCGIMultiplexer()
            var exchanges: [UInt16: FastCGIClientExchange] = [:]
            for _ in 0..<3 {
                let id = multiplexer.allocate()!
                exchanges[id] = FastCGIClientExchange(requestID: id)
            }
            let (actions, failures) = Self.route(bytes, step: step, multiplexer: &multiplexer, exchanges: &exchanges)
            #expect(failures.isEmpty, "step \(step)")
            for (id, body) in [(UInt16(1), "one\n"), (2, "two\n"), (3, "three\n")] {
                let stdout = actions[id, default: []].compactMap { if case .stdout(let bytes) = $0 { bytes } else { nil } }
                #expect(
                    String(decoding: stdout.joined(), as: UTF8.self) == "Content-Type: text/plain\r\n\r\n\(body)", "step \(step)")
                #expect(actions[id]?.contains(.stderr(Array("log \(id)\n".utf8))) == true)
                #expect(actions[id]?.last == .end(appStatus: UInt32(id)), "step \(step)")
                #expect(exchanges[id]?.isOver == true)
            }
            // Every request ended: all ids are free.
            #expect(multiplexer.liveCount == 0)
        }
    }

    @Test func aRecordForAnUnknownIdBreaksTheConnection() {
        var multiplexer = FastCGIMultiplexer()
        var exchanges: [UInt16: FastCGIClientExchange] = [1: FastCGIClientExchange(requestID: multiplexer.allocate()!)]
        let bytes = Exchanges.wire(
            [FastCGIRecord(.stdout, requestID: 1, content: [65]), FastCGIRecord(.stdout, requestID: 5, content: [66])]
                + Self.answer(1, "late\n"))
        let (actions, failures) = Self.route(bytes, step: 3, multiplexer: &multiplexer, exchanges: &exchanges)
        #expect(actions[1] == [.stdout([65])])
        #expect(failures == [.protocolViolation("a record for request 5, which is not live on the connection")])
        #expect(multiplexer.isBroken && !multiplexer.hasRoom && multiplexer.allocate() == nil)
        #expect(multiplexer.next() == nil)
    }

    @Test func aRecordForAnEndedRequestBreaksTheConnection() {
        var multiplexer = FastCGIMultiplexer()
        var exchanges: [UInt16: FastCGIClientExchange] = [1: FastCGIClientExchange(requestID: multiplexer.allocate()!)]
        let bytes = Exchanges.wire(Self.answer(1, "x") + [FastCGIRecord(.stdout, requestID: 1, content: [1])])
        let (actions, failures) = Self.route(bytes, step: bytes.count, multiplexer: &multiplexer, exchanges: &exchanges)
        #expect(actions[1]?.last == .end(appStatus: 1))
        #expect(failures.count == 1)
    }

    @Test func aClosedConnectionNamesAPartialRecord() {
        var multiplexer = FastCGIMultiplexer()
        _ = multiplexer.allocate()
        #expect(multiplexer.closingError == .connectionClosed)
        multiplexer.receive([1, 6, 0, 1])
        #expect(multiplexer.next() == nil)
        #expect(multiplexer.closingError == .protocolViolation("the connection ended in the middle of a record"))
    }
}
