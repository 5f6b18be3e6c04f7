import Foundation
import Glibc
import TestSupport
import Testing

@testable import CGI

/// A real FastCGIFixture process behind a unix socket on descriptor 0, driven record by
/// record: what nginx, Apache and lighttpd send, and what they never send.
@Suite(.timeLimit(.minutes(2))) struct FastCGIProtocolTests {
    typealias Client = FastCGIClient

    /// Runs `body` with a fresh worker, stopped afterwards.
    func withWorker(environment: [String: String] = [:], _ body: (FastCGIWorker) throws -> Void) throws {
        let worker = try FastCGIWorker(environment: environment)
        defer { worker.stop() }
        try body(worker)
    }

    @Test func getIsAnsweredAndTheStreamsEndInOrder() throws {
        try withWorker { worker in
            let client = try worker.connect()
            let reply = try client.request(Client.variables(query: "name=Ann+Lee"))
            #expect(reply.head == "Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8")
            #expect(reply.body.hasSuffix("request 1\nname=Ann Lee\n"))
            #expect(reply.stdoutEnded && reply.appStatus == 0 && reply.protocolStatus == 0)
        }
    }

    /// A response's last bytes, the empty STDOUT that closes the stream and END_REQUEST leave
    /// the worker in one write, so the web server reads the end of a response at once. On a
    /// packet socket each write is one packet.
    @Test func theLastOutputAndEndRequestGoOutInOneWrite() throws {
        let listener = try FastCGISocket(type: SOCK_SEQPACKET)
        let worker = try FastCGIWorker(socket: listener)
        defer { worker.stop() }
        let client = try FastCGIClient(path: listener.path, type: SOCK_SEQPACKET)
        client.begin()
        client.params(Client.variables(query: "name=Ann"))
        client.stream(.stdin, [])
        var waiter = pollfd(fd: client.socket, events: Int16(POLLIN), revents: 0)
        try #require(poll(&waiter, 1, 20_000) == 1)
        var packet = [UInt8](repeating: 0, count: 1 << 16)
        let count = packet.withUnsafeMutableBytes { recv(client.socket, $0.baseAddress, $0.count, 0) }
        try #require(count > 0)
        var decoder = FastCGIRecordDecoder()
        decoder.append(Array(packet[..<count]))
        var records: [String] = []
        while let record = try decoder.next() {
            records.append("\(record.kind.map { "\($0)" } ?? "?")\(record.content.isEmpty ? " (empty)" : "")")
        }
        #expect(records == ["stdout", "stdout (empty)", "endRequest"])
        #expect(poll(&waiter, 1, 200) == 0, "nothing follows END_REQUEST")
    }

    @Test func theSameProgramKnowsWhetherItIsResident() throws {
        try withWorker { worker in
            let reply = try worker.connect().request(Client.variables(query: "action=mode"))
            #expect(reply.body == "resident\n")
        }
        let cgi = try runProcess(
            productsDirectory.appendingPathComponent("FastCGIFixture").path,
            environment: ["GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "QUERY_STRING": "action=mode"],
            input: Data())
        #expect(cgi.output.hasSuffix("\r\n\r\none request\n"), "\(cgi.output)")
    }

    @Test func aPostedFormIsParsedFromStdin() throws {
        try withWorker { worker in
            let client = try worker.connect()
            let body = Array("a=1&b=two+words".utf8)
            let reply = try client.request(
                Client.variables(
                    method: "POST", query: "c=3", contentType: "application/x-www-form-urlencoded",
                    contentLength: body.count), body: body)
            #expect(reply.body.hasSuffix("a=1\nb=two words\nc=3\n"))
        }
    }

    @Test func aMultipartUploadKeepsSizeAndDigestAndItsFileIsRemovedWhenTheRequestEnds() throws {
        try withWorker { worker in
            var generator = SeededGenerator(seed: 5)
            let file = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let boundary = "fcgi-boundary-7"
            var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n".utf8)
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.bin\"\r\n".utf8)
            body += Array("Content-Type: application/octet-stream\r\n\r\n".utf8) + file + Array("\r\n--\(boundary)--\r\n".utf8)
            let client = try worker.connect()
            let reply = try client.request(
                Client.variables(
                    method: "POST", contentType: "multipart/form-data; boundary=\(boundary)",
                    contentLength: body.count), body: body)
            var hash = SHA256()
            file.withUnsafeBytes { hash.update($0) }
            #expect(reply.body.hasSuffix("note=hi\ndoc: a.bin \(file.count) \(hash.finalize())\n"))
            #expect(try worker.uploadsLeft() == [], "the spooled upload outlives its request")
            #expect(worker.isRunning)
        }
    }

    @Test func flushedOutputArrivesBeforeTheHandlerEnds() throws {
        try withWorker { worker in
            let client = try worker.connect()
            client.begin()
            client.params(Client.variables(method: "POST", query: "action=stream", contentType: "text/plain", contentLength: 10))
            // The handler flushes before it reads the body, which has not been sent yet.
            let first = try client.read(.stdout, until: "first chunk (process \(worker.pid))\n")
            #expect(first.hasPrefix("Status: 200 OK\r\n"))
            client.stream(.stdin, Array("0123456789".utf8))
            let reply = try client.reply()
            #expect(reply.text == "second chunk after 10 bytes\n")
        }
    }

    @Test func aThrownErrorGivesA500AndALogLineAndTheProcessCarriesOn() throws {
        try withWorker { worker in
            let client = try worker.connect()
            let failed = try client.request(Client.variables(query: "action=throw"))
            #expect(failed.head.hasPrefix("Status: 500 Internal Server Error\r\n"))
            #expect(failed.stderr.contains("the fixture failed on purpose"))
            let next = try client.request(Client.variables())
            #expect(next.body.hasSuffix("request 2\n"))
        }
    }

    @Test func aRejectedRequestGets400Or413AsInCGI() throws {
        try withWorker { worker in
            let client = try worker.connect()
            let invalid = try client.request(
                ["REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": "12x"])
            #expect(invalid.head.hasPrefix("Status: 400 Bad Request\r\n"))
            #expect(invalid.stderr.contains("CGI request rejected (400)"))
            let large = try client.request(
                ["REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": "\(2 << 20)"])
            #expect(large.head.hasPrefix("Status: 413 "))
        }
    }

    @Test func stdinShorterThanContentLengthIsATruncatedRequest() throws {
        try withWorker { worker in
            let client = try worker.connect()
            let reply = try client.request(
                Client.variables(method: "POST", contentType: "application/x-www-form-urlencoded", contentLength: 10),
                body: Array("a=1".utf8))
            #expect(reply.head.hasPrefix("Status: 400 Bad Request\r\n"))
            #expect(reply.text.contains("ended early"))
        }
    }

    @Test func getValuesInTheMiddleOfARequestIsAnsweredAtOnce() throws {
        try withWorker { worker in
            let client = try worker.connect()
            client.begin()
            client.params(Client.variables(method: "POST", contentType: "application/x-www-form-urlencoded", contentLength: 7))
            client.stream(.stdin, Array("a=1".utf8), end: false)
            client.send(
                .getValues, id: 0,
                FastCGINameValuePairs.encode(
                    [("FCGI_MAX_CONNS", ""), ("FCGI_MAX_REQS", ""), ("FCGI_MPXS_CONNS", ""), ("SOMETHING_ELSE", "")]))
            let answer = try #require(try client.nextRecord())
            #expect(answer.kind == .getValuesResult && answer.requestID == 0)
            let values = try FastCGINameValuePairs.decode(answer.content).map {
                String(decoding: $0.name, as: UTF8.self) + "=" + String(decoding: $0.value, as: UTF8.self)
            }
            #expect(values == ["FCGI_MAX_CONNS=256", "FCGI_MAX_REQS=1", "FCGI_MPXS_CONNS=0"])
            client.stream(.stdin, Array("&b=2".utf8))
            #expect(try client.reply().body.hasSuffix("a=1\nb=2\n"))
        }
    }

    @Test func paramsSplitAtEveryByteMakeTheSameRequest() throws {
        try withWorker { worker in
            let client = try worker.connect()
            let variables = Client.variables(query: "name=split")
            let bytes = FastCGINameValuePairs.encode(variables.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            // One record per byte, then every two-record split.
            client.begin()
            client.stream(.params, bytes, chunk: 1)
            client.stream(.stdin, [])
            #expect(try client.reply().body.hasSuffix("name=split\n"))
            for split in 1..<bytes.count {
                client.begin()
                client.send(.params, id: 1, Array(bytes[..<split]))
                client.send(.params, id: 1, Array(bytes[split...]))
                client.send(.params, id: 1)
                client.stream(.stdin, [])
                #expect(try client.reply().body.hasSuffix("name=split\n"), "split at \(split)")
            }
        }
    }

    @Test func paddedRecordsAndRecordsOf65535BytesAreRead() throws {
        try withWorker { worker in
            let client = try worker.connect()
            // A 1-byte name length, a 4-byte value length, the 11-byte name: 65,535 bytes in all.
            let long = FastCGINameValuePairs.encode([("HTTP_X_LONG", String(repeating: "v", count: 65_535 - 16))])
            let pairs = FastCGINameValuePairs.encode(
                Client.variables(
                    method: "POST", query: "action=stream",
                    contentType: "text/plain", contentLength: 65_535
                ).map { ($0.key, $0.value) })
            #expect(long.count == 65_535)
            client.send(.beginRequest, id: 1, [0, 1, 1, 0, 0, 0, 0, 0], padding: 255)
            client.send(.params, id: 1, long)
            client.send(.params, id: 1, pairs, padding: 7)
            client.send(.params, id: 1, [], padding: 3)
            client.send(.stdin, id: 1, [UInt8](repeating: 0x7A, count: 65_535), padding: 1)
            client.send(.stdin, id: 1, [], padding: 8)
            let reply = try client.reply()
            #expect(reply.text.hasSuffix("second chunk after 65535 bytes\n"))
        }
    }

    @Test func unknownManagementTypesGetUnknownTypeAndTheConnectionCarriesOn() throws {
        try withWorker { worker in
            let client = try worker.connect()
            for type: UInt8 in [12, 200] {
                client.send(type: type, id: 0, content: [1, 2, 3])
                let answer = try #require(try client.nextRecord())
                #expect(answer == FastCGIRecord(.unknownType, requestID: 0, content: [type, 0, 0, 0, 0, 0, 0, 0]))
            }
            #expect(try client.request(Client.variables()).body.hasSuffix("request 1\n"))
        }
    }

    @Test func abortDuringStdinEndsTheRequestWithExactlyOneEndRequest() throws {
        try withWorker { worker in
            let client = try worker.connect()
            client.begin()
            client.params(Client.variables(method: "POST", contentType: "application/x-www-form-urlencoded", contentLength: 100))
            client.stream(.stdin, Array("a=1".utf8), end: false)
            client.send(.abortRequest, id: 1)
            let reply = try client.reply()
            #expect(reply.stdout.isEmpty && reply.protocolStatus == 0)
            // Whatever the worker sends next is the answer to this, not a second END_REQUEST.
            client.send(.getValues, id: 0, FastCGINameValuePairs.encode([("FCGI_MPXS_CONNS", "")]))
            #expect(try client.nextRecord()?.kind == .getValuesResult)
            // The handler never saw the aborted request: the next one is its first.
            #expect(try client.request(Client.variables()).body.hasSuffix("request 1\n"))
        }
    }

    @Test func aSecondRequestIdIsRefusedWithCantMpxConn() throws {
        try withWorker { worker in
            let client = try worker.connect()
            client.begin(id: 1)
            client.params(
                id: 1, Client.variables(method: "POST", contentType: "application/x-www-form-urlencoded", contentLength: 3))
            client.begin(id: 2)
            client.stream(.stdin, id: 1, Array("a=1".utf8))
            let refusal = try #require(try client.nextRecord())
            #expect(refusal.kind == .endRequest && refusal.requestID == 2)
            #expect(refusal.content[4] == FastCGIProtocolStatus.cantMultiplexConnection.rawValue)
            #expect(try client.reply(id: 1).body.hasSuffix("a=1\n"))
        }
    }

    @Test func garbageClosesTheConnectionAndTheProcessLives() throws {
        try withWorker { worker in
            let garbage = try worker.connect()
            garbage.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            #expect(try garbage.isClosedByWorker())
            let malformed = try worker.connect()
            malformed.send(.beginRequest, id: 1, [0, 1, 0])
            #expect(try malformed.isClosedByWorker())
            #expect(worker.isRunning)
            #expect(try worker.connect().request(Client.variables()).body.hasSuffix("request 1\n"))
            #expect(worker.log().contains("version 71, not 1"))
        }
    }

    @Test func withoutKeepConnTheWorkerClosesAfterEndRequest() throws {
        try withWorker { worker in
            let client = try worker.connect()
            let reply = try client.request(Client.variables(), keepConnection: false)
            #expect(reply.body.hasSuffix("request 1\n"))
            #expect(try client.isClosedByWorker())
        }
    }

    @Test func withKeepConnOneConnectionCarriesManyRequests() throws {
        try withWorker { worker in
            let client = try worker.connect()
            for number in 1...20 {
                #expect(try client.request(Client.variables()).body.hasSuffix("request \(number)\n"))
            }
        }
    }

    @Test func anIdleKeptConnectionDoesNotPinTheWorker() throws {
        try withWorker { worker in
            let idle = (0..<8).map { _ in try? worker.connect() }
            for connection in idle.compactMap({ $0 }).prefix(4) {
                _ = try connection.request(Client.variables())
            }
            // Every connection stays open; a new one is still served at once.
            let fresh = try worker.connect()
            #expect(try fresh.request(Client.variables()).body.hasSuffix("request 5\n"))
            #expect(idle.allSatisfy { $0 != nil })
        }
    }

    @Test func theAuthorizerRoleWorksAndTheFilterRoleIsRefused() throws {
        try withWorker { worker in
            let client = try worker.connect()
            client.begin(role: 2)
            client.params(["REQUEST_METHOD": "GET", "QUERY_STRING": "action=authorize", "REMOTE_USER": "ann"])
            let allowed = try client.reply()
            #expect(allowed.head.hasPrefix("Status: 200 OK\r\n") && allowed.head.contains("Variable-User-Level: admin"))
            client.begin(role: 2)
            client.params(["REQUEST_METHOD": "GET", "QUERY_STRING": "action=authorize", "REMOTE_USER": "bob"])
            #expect(try client.reply().head.hasPrefix("Status: 403 Forbidden\r\n"))
            client.begin(role: 3)
            let refusal = try client.reply()
            #expect(refusal.protocolStatus == FastCGIProtocolStatus.unknownRole.rawValue && refusal.stdout.isEmpty)
        }
    }

    @Test func oversizedParamsAreRejectedWith431() throws {
        try withWorker { worker in
            let client = try worker.connect()
            client.begin()
            let chunk = FastCGINameValuePairs.encode([("HTTP_X_BIG", String(repeating: "b", count: 60_000))])
            for _ in 0..<20 { client.send(.params, id: 1, chunk) }
            let reply = try client.reply()
            #expect(reply.head.hasPrefix("Status: 431 Request Header Fields Too Large\r\n"))
            client.send(.params, id: 1)
            client.stream(.stdin, [])
            #expect(try client.request(Client.variables()).body.hasSuffix("request 1\n"))
        }
    }

    @Test func aRejectionAnswersInTheFormatTheRequestAsks() throws {
        try withWorker { worker in
            let client = try worker.connect()
            var variables = Client.variables(method: "POST", contentType: "text/plain", contentLength: 1 << 40)
            variables["HTTP_ACCEPT"] = "application/json"
            let json = try client.request(variables)
            #expect(json.head.hasPrefix("Status: 413 Content Too Large\r\n"))
            #expect(json.head.contains("Content-Type: application/json"))
            #expect(json.body.contains("\"kind\":\"body_too_large\""))
            variables["HTTP_ACCEPT"] = "text/html"
            let html = try client.request(variables)
            #expect(html.head.hasPrefix("Status: 413 Content Too Large\r\n"))
            #expect(html.head.contains("Content-Type: text/html"))
            // Neither rejection reached the handler.
            #expect(try client.request(Client.variables()).body.hasSuffix("request 1\n"))
        }
    }

    @Test func aPrintNeverLandsInTheResponse() throws {
        try withWorker { worker in
            let client = try worker.connect()
            let reply = try client.request(Client.variables(query: "action=print"))
            #expect(reply.body == "printed\n")
            let next = try client.request(Client.variables())
            #expect(next.body.hasSuffix("request 2\n"))
            #expect(worker.log().contains("a stray print from the handler"))
        }
    }

    @Test func aTrapGetsA500AndTheProcessExits() throws {
        try withWorker { worker in
            let client = try worker.connect()
            let reply = try client.request(Client.variables(query: "action=trap"))
            #expect(reply.head.hasPrefix("Status: 500 Internal Server Error\r\n"))
            #expect(reply.appStatus == 1)
            let exit = worker.waitForExit()
            #expect(exit.signaled)
            #expect(worker.log().contains("CGI crash"))
        }
    }

    @Test func sigtermEndsAnIdleWorkerWithStatus0() throws {
        try withWorker { worker in
            let client = try worker.connect()
            #expect(try client.request(Client.variables()).body.hasSuffix("request 1\n"))
            kill(worker.pid, SIGTERM)
            let exit = worker.waitForExit()
            #expect(exit.status == 0 && !exit.signaled)
            #expect(try client.isClosedByWorker())
        }
    }

    @Test func globalsLiveForTheProcessAndRequestsComeFromAnyConnection() throws {
        try withWorker { worker in
            let first = try worker.connect().request(Client.variables())
            let second = try worker.connect().request(Client.variables())
            #expect(first.body == "process \(worker.pid) request 1\n")
            #expect(second.body == "process \(worker.pid) request 2\n")
        }
    }

    @Test func residentMemoryAndDescriptorsStayFlatOverManyRequests() throws {
        try withWorker { worker in
            let body = Array("a=1&b=2".utf8)
            let variables = Client.variables(
                method: "POST", contentType: "application/x-www-form-urlencoded", contentLength: body.count)
            /// Serves `count` requests, each on a connection of its own (the client closes nine
            /// in ten, the worker the tenth), then one on a connection left open: the worker
            /// answers one request at a time, so once that one is answered, it has closed
            /// every earlier connection.
            func serve(_ count: Int) throws -> FastCGIClient {
                for index in 0..<count {
                    let client = try worker.connect()
                    _ = try client.request(variables, body: body, keepConnection: index % 10 != 0)
                }
                let probe = try worker.connect()
                _ = try probe.request(variables, body: body)
                return probe
            }
            var probe: FastCGIClient? = try serve(300)
            let descriptors = try worker.openDescriptors()
            let resident = try worker.residentKiB()
            probe = nil  // closed before the next requests, so its end is handled by then
            probe = try serve(3000)
            let descriptorsAfter = try worker.openDescriptors()
            #expect(descriptorsAfter == descriptors, "\(descriptors) descriptors became \(descriptorsAfter)")
            withExtendedLifetime(probe) {}
            #expect(try worker.residentKiB() - resident < 2048, "RSS grew from \(resident) KiB")
        }
    }
}
