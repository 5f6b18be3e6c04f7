import TestSupport
import Testing

@testable import CGI

@Suite struct FastCGIRecordTests {
    /// A STDOUT record for request 258 with 3 bytes of content and 5 bytes of padding, as
    /// FastCGI 1.0 §3.3 lays it out.
    static let stdoutBytes: [UInt8] = [1, 6, 1, 2, 0, 3, 5, 0, 0x61, 0x62, 0x63, 0, 0, 0, 0, 0]

    @Test func encodesTheHeaderContentAndPaddingToEightBytes() {
        var output: [UInt8] = []
        FastCGIRecordEncoder.append(FastCGIRecord(.stdout, requestID: 258, content: Array("abc".utf8)), to: &output)
        #expect(output == Self.stdoutBytes)
    }

    @Test func decodesARecordAndSkipsItsPadding() throws {
        var decoder = FastCGIRecordDecoder()
        decoder.append(Self.stdoutBytes + [1, 5, 0, 1, 0, 0, 0, 0])
        #expect(try decoder.next() == FastCGIRecord(.stdout, requestID: 258, content: Array("abc".utf8)))
        #expect(try decoder.next() == FastCGIRecord(.stdin, requestID: 1))
        #expect(try decoder.next() == nil)
        #expect(!decoder.hasPartialRecord)
    }

    @Test func paddingFromAPeerIsSkippedWhateverItHolds() throws {
        var decoder = FastCGIRecordDecoder()
        decoder.append([1, 5, 0, 1, 0, 2, 255, 0, 0x41, 0x42] + [UInt8](repeating: 0xFF, count: 255) + [1, 5, 0, 1, 0, 0, 0, 0])
        #expect(try decoder.next() == FastCGIRecord(.stdin, requestID: 1, content: [0x41, 0x42]))
        #expect(try decoder.next() == FastCGIRecord(.stdin, requestID: 1))
    }

    @Test func aLongStreamIsSplitIntoRecordsOfAtMost65535Bytes() throws {
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var output: [UInt8] = []
        bytes.withUnsafeBytes { FastCGIRecordEncoder.appendStream(.stdout, requestID: 1, bytes: $0, to: &output) }
        #expect(output.count % 8 == 0)
        var decoder = FastCGIRecordDecoder()
        decoder.append(output)
        var joined: [UInt8] = []
        while let record = try decoder.next() {
            #expect(record.content.count <= 65_535 && !record.content.isEmpty)
            joined += record.content
        }
        #expect(joined == bytes)
    }

    @Test func aRecordOf65535BytesFedOneByteAtATimeComesOutWhole() throws {
        let content = (0..<65_535).map { UInt8(truncatingIfNeeded: $0) }
        var output: [UInt8] = []
        FastCGIRecordEncoder.append(FastCGIRecord(.stdin, requestID: 9, content: content), to: &output)
        #expect(output.count == 8 + 65_535 + 1)
        var decoder = FastCGIRecordDecoder()
        var records: [FastCGIRecord] = []
        for byte in output {
            decoder.append([byte])
            if let record = try decoder.next() { records.append(record) }
        }
        #expect(records == [FastCGIRecord(.stdin, requestID: 9, content: content)])
    }

    @Test func everySplitOfAStreamGivesTheSameRecords() throws {
        let records = [
            FastCGIRecord(.beginRequest, requestID: 1, content: [0, 1, 1, 0, 0, 0, 0, 0]),
            FastCGIRecord(
                .params, requestID: 1,
                content: FastCGINameValuePairs.encode([("A", "1"), ("B", String(repeating: "x", count: 200))])),
            FastCGIRecord(.params, requestID: 1),
            FastCGIRecord(type: 77, requestID: 0, content: [1, 2, 3]),
            FastCGIRecord(.stdin, requestID: 1, content: Array("hello".utf8)),
        ]
        var stream: [UInt8] = []
        for record in records { FastCGIRecordEncoder.append(record, to: &stream) }
        for first in 0...stream.count {
            for second in stride(from: first, through: stream.count, by: 37) {
                var decoder = FastCGIRecordDecoder()
                var decoded: [FastCGIRecord] = []
                for piece in [stream[..<first], stream[first..<second], stream[second...]] {
                    decoder.append(Array(piece))
                    while let record = try decoder.next() { decoded.append(record) }
                }
                #expect(decoded == records, "split at \(first) and \(second)")
            }
        }
    }

    @Test func randomRecordsSurviveRandomSplits() throws {
        var generator = SeededGenerator(seed: 13)
        for _ in 0..<200 {
            let records = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                FastCGIRecord(
                    type: UInt8.random(in: 1...12, using: &generator), requestID: UInt16.random(in: 0...3, using: &generator),
                    content: generator.bytes(maxCount: 3000))
            }
            var stream: [UInt8] = []
            for record in records { FastCGIRecordEncoder.append(record, to: &stream) }
            var decoder = FastCGIRecordDecoder()
            var decoded: [FastCGIRecord] = []
            var offset = 0
            while offset < stream.count {
                let next = min(stream.count, offset + Int.random(in: 1...700, using: &generator))
                decoder.append(Array(stream[offset..<next]))
                while let record = try decoder.next() { decoded.append(record) }
                offset = next
            }
            #expect(decoded == records)
        }
    }

    @Test func aHeaderThatIsNotVersion1IsAnErrorAndStaysOne() throws {
        var decoder = FastCGIRecordDecoder()
        decoder.append(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(throws: FastCGIProtocolError.unsupportedVersion(UInt8(ascii: "G"))) { try decoder.next() }
        decoder.append(Self.stdoutBytes)
        #expect(throws: FastCGIProtocolError.unsupportedVersion(UInt8(ascii: "G"))) { try decoder.next() }
    }

    @Test func nameValuePairsUseOneOrFourByteLengths() throws {
        let long = String(repeating: "v", count: 300)
        let bytes = FastCGINameValuePairs.encode([("AB", "c"), ("N", long)])
        #expect(Array(bytes.prefix(5)) == [2, 1, 0x41, 0x42, 0x63])
        #expect(Array(bytes[5..<10]) == [1, 0x80, 0, 1, 44])
        let pairs = try FastCGINameValuePairs.decode(bytes)
        #expect(pairs.map { String(decoding: $0.name, as: UTF8.self) } == ["AB", "N"])
        #expect(pairs.map { String(decoding: $0.value, as: UTF8.self) } == ["c", long])
    }

    @Test func pairsCutAnywhereAreAnError() throws {
        let bytes = FastCGINameValuePairs.encode([("NAME", String(repeating: "v", count: 200)), ("X", "")])
        let whole = 1 + 4 + 4 + 200  // where the first pair ends: 1- and 4-byte lengths, name, value
        for cut in 1..<bytes.count where cut != whole {
            #expect(throws: FastCGIProtocolError.truncatedNameValuePair, "cut at \(cut)") {
                try FastCGINameValuePairs.decode(Array(bytes[..<cut]))
            }
        }
        #expect(try FastCGINameValuePairs.decode(Array(bytes[..<whole])).count == 1)
    }
}
