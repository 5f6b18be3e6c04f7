import Glibc

/// Appends bytes to memory of known size: the storage of a string being built (``ASCIIText``)
/// or the writable bytes of a buffer (``ResponseEncoder``). Writing past the end is a
/// programming error and stops the process.
struct ByteWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    /// The bytes written so far.
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.init(buffer.bindMemory(to: UInt8.self))
    }

    /// Appends ASCII text.
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends the bytes of `text` if `isAllowed` accepts each of them; `false` (and nothing
    /// appended) otherwise.
    @inline(__always)
    mutating func append(_ text: String, allowing isAllowed: (UInt8) -> Bool) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            for byte in bytes where !isAllowed(byte) { return false }
            append(contentsOf: bytes)
            return true
        }
    }

    /// Appends the last `digits` decimal digits of `value`, zero-padded (a negative value as zeros).
    mutating func append(_ value: Int, digits: Int) {
        let value = max(0, value)
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
            append(byte: UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    /// Appends `value` in lower-case hexadecimal, without leading zeros.
    mutating func appendHex(_ value: UInt64) {
        var shift = max(0, 60 - value.leadingZeroBitCount / 4 * 4)
        while shift >= 0 {
            let nibble = UInt8(truncatingIfNeeded: value >> UInt64(shift)) & 0xF
            append(byte: nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble)
            shift -= 4
        }
    }

    private mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        precondition(bytes.count <= buffer.count - count, "ByteWriter capacity exceeded")
        guard let source = bytes.baseAddress, let target = buffer.baseAddress else { return }
        memcpy(target + count, source, bytes.count)
        count += bytes.count
    }

    private mutating func append(byte: UInt8) {
        precondition(count < buffer.count, "ByteWriter capacity exceeded")
        buffer[count] = byte
        count += 1
    }
}
