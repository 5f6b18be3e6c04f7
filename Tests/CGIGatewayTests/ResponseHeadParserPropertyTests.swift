import TestSupport
import Testing

@testable import CGIGateway

/// The result of a parse in a form that can be compared.
func outcome(_ result: Result<(ResponseHead, [UInt8]), ResponseHeadError>) -> String {
    switch result {
    case .success(let (head, rest)): "\(head) rest=\(rest)"
    case .failure(let error): "error: \(error)"
    }
}

@Suite struct ResponseHeadParserPropertyTests {
    static let lines = [
        "Content-Type: text/plain", "Status: 404 Not Found", "Status: 200", "Status: 99", "Location: /x?y=1",
        "Location: http://a.test/", "X-A: 1", "x-a:2", "GARBAGE", " folded", "Content-Length: 5", "Connection: close",
        "Transfer-Encoding: chunked", "X-B:\tv\t", "Set-Cookie: a=1", "Proxy-Authenticate: x", "X-C: a\rb", "Bad Name: v",
        "", "X-Long: " + String(repeating: "v", count: 300),
    ]

    @Test(arguments: 0..<8)
    func chunkingNeverChangesTheResult(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<150 {
            var text = ""
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                text += Self.lines.randomElement(using: &random)! + (Bool.random(using: &random) ? "\r\n" : "\n")
            }
            if Bool.random(using: &random) { text += "\n" + "body\r\n\r\nmore" }
            let output = Array(text.utf8)
            let cuts = (0..<Int.random(in: 0...4, using: &random)).map { _ in Int.random(in: 0...output.count, using: &random) }
                .sorted()
            let limits = ResponseHeadParser.Limits(maxLineBytes: 200, maxHeadBytes: 600, maxHeaderCount: 5)
            #expect(
                outcome(parse(output, cuts: cuts, limits: limits)) == outcome(parse(output, limits: limits)),
                "\(text.debugDescription) cut at \(cuts)")
        }
    }

    @Test(arguments: 0..<4)
    func arbitraryBytesNeverCrash(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<300 {
            let output = (0..<Int.random(in: 0...200, using: &random)).map { _ in
                Bool.random(using: &random)
                    ? UInt8.random(in: 0...255, using: &random) : Array("a:\r\n ".utf8).randomElement(using: &random)!
            }
            let cut = Int.random(in: 0...output.count, using: &random)
            #expect(outcome(parse(output, cuts: [cut])) == outcome(parse(output)))
        }
    }
}
