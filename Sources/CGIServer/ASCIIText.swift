/// Builds a short ASCII string of known maximum length in a single allocation, for the fields
/// written on every request (dates, entity tags).
enum ASCIIText {
    /// The string `build` appends, at most `capacity` bytes.
    static func make(capacity: Int, _ build: (inout Writer) -> Void) -> String {
        String(unsafeUninitializedCapacity: capacity) { buffer in
            var writer = Writer(buffer: buffer)
            build(&writer)
            return writer.count
        }
    }

    /// Appends to the string's storage.
    struct Writer {
        fileprivate let buffer: UnsafeMutableBufferPointer<UInt8>
        fileprivate var count = 0

        /// Appends ASCII text.
        mutating func append(_ text: StaticString) {
            text.withUTF8Buffer { bytes in
                for byte in bytes { append(byte: byte) }
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

        private mutating func append(byte: UInt8) {
            precondition(count < buffer.count, "ASCIIText capacity exceeded")
            buffer[count] = byte
            count += 1
        }
    }
}
