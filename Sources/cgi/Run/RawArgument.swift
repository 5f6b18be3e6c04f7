import Glibc

/// The bytes of a command-line argument as given. Swift decodes `argv` as UTF-8, with U+FFFD
/// in place of bytes that are not, and so does every option parsed from it; a header value
/// given to `cgi run -H` may hold such bytes (RFC 9110 §5.5 `obs-text`) and reaches the script
/// as they were given.
enum RawArgument {
    /// The bytes `text` was decoded from: an argument whose decoding is `text`, or ends with
    /// `text` after an ASCII prefix (`--header=`, `-H`); nil when no argument is.
    static func bytes(of text: String) -> [UInt8]? {
        for index in 0..<Int(CommandLine.argc) {
            guard let argument = CommandLine.unsafeArgv[index] else { continue }
            let raw = UnsafeRawBufferPointer(start: argument, count: strlen(argument))
            let decoded = String(decoding: raw, as: UTF8.self)
            guard decoded.hasSuffix(text) else { continue }
            let prefix = decoded.utf8.count - text.utf8.count
            guard prefix >= 0, raw.prefix(prefix).allSatisfy({ $0 < 0x80 }) else { continue }
            let candidate = Array(raw[prefix...])
            if String(decoding: candidate, as: UTF8.self) == text { return candidate }
        }
        return nil
    }
}
