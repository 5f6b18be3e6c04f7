import Glibc

/// The environment of this process, where a CGI server puts the request's meta-variables
/// (RFC 3875 §4.1), read straight from the C `environ` array.
public enum ProcessEnvironment {
    /// Every `NAME=value` entry of `environ`. A name that appears twice keeps its first value,
    /// as `getenv` does; bytes that are not UTF-8 become U+FFFD.
    public static func current() -> [String: String] {
        var variables: [String: String] = [:]
        // `environ` may be NULL (after clearenv), which its imported type does not admit.
        let table = unsafeBitCast(environ, to: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?.self)
        guard var entry = table else { return variables }
        while let pointer = entry.pointee {
            let bytes = UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)).bindMemory(to: UInt8.self)
            // Bytes, not Characters: this runs on every request, and start-up time counts.
            if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
                let name = String(decoding: bytes[..<equals], as: UTF8.self)
                if variables[name] == nil { variables[name] = String(decoding: bytes[(equals + 1)...], as: UTF8.self) }
            }
            entry += 1
        }
        return variables
    }
}
