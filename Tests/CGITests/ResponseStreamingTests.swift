import Foundation
import Testing

/// The directory the build put the test bundle and the executables in.
let productsDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

@Suite struct ResponseStreamingTests {
    /// A flushed chunk reaches the pipe while the script is still running: the fixture
    /// flushes its first chunk, then waits for its standard input to close.
    @Test(.timeLimit(.minutes(1)))
    func aFlushedChunkArrivesBeforeTheScriptEnds() throws {
        let script = Process()
        script.executableURL = productsDirectory.appendingPathComponent("StreamFixture")
        let input = Pipe()
        let output = Pipe()
        script.standardInput = input
        script.standardOutput = output
        try script.run()

        let expectedHead = "Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nfirst chunk\n"
        var received = Data()
        while received.count < expectedHead.utf8.count {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received += chunk
        }
        #expect(String(decoding: received, as: UTF8.self) == expectedHead)
        #expect(script.isRunning, "the chunk must arrive while the script still runs")

        try input.fileHandleForWriting.close()
        received += output.fileHandleForReading.readDataToEndOfFile()
        script.waitUntilExit()
        #expect(script.terminationStatus == 0)
        #expect(String(decoding: received, as: UTF8.self) == expectedHead + "second chunk\n")
    }
}
