/// The name-value pairs of PARAMS and GET_VALUES (FastCGI 1.0 §3.4): each length in one byte
/// when below 128, otherwise in four bytes with the high bit set, then the name, then the
/// value.
package enum FastCGINameValuePairs {
    /// Encodes the pairs in order.
    package static func encode(_ pairs: [(name: String, value: String)]) -> [UInt8] {
        var output: [UInt8] = []
        for (name, value) in pairs {
            appendLength(name.utf8.count, to: &output)
            appendLength(value.utf8.count, to: &output)
            output += name.utf8
            output += value.utf8
        }
        return output
    }

    /// Decodes every pair of `bytes` (the content of a whole stream, records joined).
    /// - Throws: ``FastCGIProtocolError/truncatedNameValuePair`` when the bytes end inside a pair.
    package static func decode(_ bytes: [UInt8]) throws(FastCGIProtocolError) -> [(name: [UInt8], value: [UInt8])] {
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        var offset = 0
        while offset < bytes.count {
            let nameLength = try readLength(bytes, at: &offset)
            let valueLength = try readLength(bytes, at: &offset)
            guard bytes.count - offset >= nameLength, bytes.count - offset - nameLength >= valueLength else {
                throw .truncatedNameValuePair
            }
            let name = Array(bytes[offset..<offset + nameLength])
            let value = Array(bytes[offset + nameLength..<offset + nameLength + valueLength])
            offset += nameLength + valueLength
            pairs.append((name, value))
        }
        return pairs
    }

    private static func appendLength(_ length: Int, to output: inout [UInt8]) {
        if length < 128 {
            output.append(UInt8(length))
        } else {
            output += [
                UInt8(length >> 24 & 0x7F) | 0x80, UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF),
                UInt8(length & 0xFF),
            ]
        }
    }

    private static func readLength(_ bytes: [UInt8], at offset: inout Int) throws(FastCGIProtocolError) -> Int {
        guard offset < bytes.count else { throw .truncatedNameValuePair }
        let first = bytes[offset]
        if first < 128 {
            offset += 1
            return Int(first)
        }
        guard bytes.count - offset >= 4 else { throw .truncatedNameValuePair }
        let length =
            Int(first & 0x7F) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
        offset += 4
        return length
    }
}
