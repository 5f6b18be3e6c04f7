import Testing

@testable import CGI

@Suite struct SignalSafeMemoryTests {
    @Test func handsOutAlignedDisjointWritableBlocks() {
        let sizes = [3, 100, 16, 4096, 1]
        var memory = SignalSafeMemory(blocks: sizes)
        let blocks = sizes.map { (start: UInt(bitPattern: memory.take($0)), size: $0) }
        for (index, block) in blocks.enumerated() {
            #expect(block.start % UInt(SignalSafeMemory.alignment) == 0)
            if index > 0 { #expect(block.start >= blocks[index - 1].start + UInt(blocks[index - 1].size)) }
            let pointer = UnsafeMutablePointer<UInt8>(bitPattern: block.start)!
            pointer.update(repeating: UInt8(index), count: block.size)
        }
        for (index, block) in blocks.enumerated() {
            let bytes = UnsafeBufferPointer(start: UnsafePointer<UInt8>(bitPattern: block.start)!, count: block.size)
            #expect(bytes.allSatisfy { $0 == UInt8(index) })
        }
    }
}
