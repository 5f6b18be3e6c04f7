#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
            let text = String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
            if let equals = text.firstIndex(of: "=") {
                let name = String(text[..<equals])
                if variables[name] == nil { variables[name] = String(text[text.index(after: equals)...]) }
            }
            entry += 1
        }
        return variables
    }
}
