/// Unpadded base64url (RFC 4648 §5): the alphabet of tokens and signed values.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// `bytes` as base64url without `=` padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count * 4 + 2) / 3)
        for start in stride(from: 0, to: input.count, by: 3) {
            let chunk = input[start..<min(start + 3, input.count)]
            var group = 0
            for (offset, byte) in chunk.enumerated() { group |= Int(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count { output.append(alphabet[(group >> (18 - 6 * position)) & 63]) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes of unpadded base64url `text`, or nil when it holds a character outside the
    /// alphabet, padding, or a length no encoding produces.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var values: [Int] = []
        values.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            values.append(value)
        }
        guard values.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(values.count * 3 / 4)
        for start in stride(from: 0, to: values.count, by: 4) {
            let chunk = values[start..<min(start + 4, values.count)]
            var group = 0
            for (offset, value) in chunk.enumerated() { group |= value << (18 - 6 * offset) }
            let byteCount = chunk.count - 1
            // Unused low bits must be zero, so that each byte string has one encoding.
            guard group & ((1 << (24 - 8 * byteCount)) - 1) == 0 else { return nil }
            for position in 0..<byteCount { output.append(UInt8(truncatingIfNeeded: group >> (16 - 8 * position))) }
        }
        return output
    }
}
