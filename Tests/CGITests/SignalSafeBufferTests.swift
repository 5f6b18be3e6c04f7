import Glibc
import Testing

@testable import CGI

@Suite struct SignalSafeBufferTests {
    /// The bytes a buffer writes, read back through a pipe.
    func written(_ buffer: SignalSafeBuffer) -> String {
        var ends: [Int32] = [0, 0]
        pipe(&ends)
        buffer.write(to: ends[1])
        close(ends[1])
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = read(ends[0], &bytes, bytes.count)
        close(ends[0])
        return String(decoding: bytes[..<max(0, count)], as: UTF8.self)
    }

    @Test func formatsNumbersAndEscapesHTML() {
        var memory = SignalSafeMemory(blocks: [256])
        var buffer = memory.buffer(capacity: 256)
        buffer.append("n=")
        buffer.append(decimal: -42)
        buffer.append(" at ")
        buffer.append(address: 0xBEEF)
        buffer.append(UInt8(ascii: " "))
        "<a href='x'>&\"</a>".withCString { buffer.append(cString: $0, escapingHTML: true) }
        #expect(written(buffer) == "n=-42 at 0x00000000beef &lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;")
    }

    @Test func cutsOffWhatDoesNotFit() {
        var memory = SignalSafeMemory(blocks: [4])
        var buffer = memory.buffer(capacity: 4)
        buffer.append("abcdef")
        #expect(written(buffer) == "abcd")
        buffer.clear()
        buffer.append("xy")
        #expect(written(buffer) == "xy")
    }

    @Test func aBufferHoldingTextHasNoRoomForMore() {
        var memory = SignalSafeMemory(blocks: [6, 4])
        var held = memory.buffer(holding: "héllo")
        var next = memory.buffer(capacity: 4)
        next.append("next")
        held.append("more")
        #expect(written(held) == "héllo")
        #expect(written(next) == "next")
    }
}
