import CGICore
import Glibc

/// A fixed block of memory, allocated in advance, that a signal handler fills and writes out
/// using only async-signal-safe operations: no allocation, no locks, plain `write(2)`.
///
/// Text that does not fit is cut off; the handler never fails for want of room.
struct SignalSafeBuffer {
    private let storage: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var count = 0

    /// A buffer using the `capacity` bytes at `storage` (prepared before any signal can
    /// arrive; see ``SignalSafeMemory``).
    init(storage: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.storage = storage
        self.capacity = capacity
    }

    /// Forgets the content, keeping the memory.
    mutating func clear() {
        count = 0
    }

    /// Appends bytes, as many as fit.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress else { return }
        let fitting = min(bytes.count, capacity - count)
        // A plain copy of memory (async-signal-safe); a loop over the bytes, each with its
        // room check, costs every start-up tens of thousands of instructions.
        (storage + count).update(from: start, count: fitting)
        count += fitting
    }

    /// Appends text. Not async-signal-safe: for preparing content before a signal arrives.
    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// Appends static text.
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    /// Appends the content of another buffer.
    mutating func append(_ other: SignalSafeBuffer) {
        append(UnsafeBufferPointer(start: other.storage, count: other.count))
    }

    /// Appends one byte.
    mutating func append(_ byte: UInt8) {
        guard count < capacity else { return }
        storage[count] = byte
        count += 1
    }

    /// Appends a NUL-terminated C string; with `escapingHTML` the characters `<>&"'` become
    /// character references.
    mutating func append(cString: UnsafePointer<CChar>, escapingHTML: Bool) {
        var cursor = UnsafeRawPointer(cString).assumingMemoryBound(to: UInt8.self)
        while cursor.pointee != 0 {
            let byte = cursor.pointee
            if escapingHTML, let reference = HTML.reference(for: byte) {
                reference.withUTF8Buffer { append($0) }
            } else {
                append(byte)
            }
            cursor += 1
        }
    }

    /// Appends `value` in decimal.
    mutating func append(decimal value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        append(unsigned: value.magnitude, radix: 10, width: 1)
    }

    /// Appends `value` as `0x` and at least 12 hex digits.
    mutating func append(address value: UInt) {
        append(UInt8(ascii: "0"))
        append(UInt8(ascii: "x"))
        append(unsigned: value, radix: 16, width: 12)
    }

    /// Calls `body` with the content as a C string (it must end with a NUL byte).
    func withCString<Result>(_ body: (UnsafePointer<CChar>) -> Result) -> Result {
        UnsafePointer(storage).withMemoryRebound(to: CChar.self, capacity: count) { body($0) }
    }

    /// Calls `body` with the content.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    /// Writes the content to `descriptor`, retrying after interruptions and partial writes.
    func write(to descriptor: Int32) {
        Self.writeAll(storage, count, to: descriptor)
    }

    /// Writes `count` bytes from `start` to `descriptor` with `write(2)` alone (safe in a signal
    /// handler), retrying after interruptions and partial writes; gives up on any other error.
    static func writeAll(_ start: UnsafeRawPointer, _ count: Int, to descriptor: Int32) {
        var offset = 0
        while offset < count {
            let written = Glibc.write(descriptor, start + offset, count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }

    private mutating func append(unsigned value: UInt, radix: UInt, width: Int) {
        // Digits are produced last first into a small stack buffer.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
            var remaining = value
            var length = 0
            repeat {
                let digit = UInt8(truncatingIfNeeded: remaining % radix)
                digits[length] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
                remaining /= radix
                length += 1
            } while remaining > 0 || length < width
            for index in stride(from: length - 1, through: 0, by: -1) { append(digits[index]) }
        }
    }
}

/// Lets text be written straight into the buffer (no intermediate string) while preparing
/// content before a signal arrives. Not async-signal-safe.
extension SignalSafeBuffer: TextOutputStream {
    /// Appends `string`.
    mutating func write(_ string: String) {
        append(string)
    }
}
