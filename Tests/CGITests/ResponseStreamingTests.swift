import Foundation
import TestSupport
import Testing

@Suite struct ResponseStreamingTests {
    /// A flushed chunk reaches the pipe while the script is still running: the fixture
    /// flushes its first chunk, then waits for its standard input to close.
    @Test
    func aFlushedChunkArrivesBeforeTheScriptEnds() throws {
        let script = try ChildProcess(productsDirectory.appendingPathComponent("StreamFixture").path, input: .pipe)

        let expectedHead = "Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nfirst chunk\n"
        let received = script.waitForOutput(count: expectedHead.utf8.count)
        #expect(String(decoding: received, as: UTF8.self) == expectedHead)
        #expect(script.isRunning, "the chunk must arrive while the script still runs")

        script.closeInput()
        let result = try script.finish()
        #expect(result.termination == .exited(0))
        #expect(result.output == expectedHead + "second chunk\n")
    }
}
