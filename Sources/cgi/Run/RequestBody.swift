import Glibc

/// The request body `cgi run` sends: urlencoded from `-d`, or multipart from `-F`.
struct RequestBody: Equatable {
    /// The bytes on the script's standard input.
    var bytes: [UInt8]
    /// The `Content-Type` header that describes them.
    var contentType: String

    /// `-d` values joined with `&`, as curl does; `@file` stands for the file's bytes, sent as they are
    /// (`@-` for standard input).
    static func urlencoded(_ data: [String]) throws(RunOptionError) -> RequestBody {
        var bytes: [UInt8] = []
        for (index, item) in data.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: "&")) }
            bytes += item.hasPrefix("@") ? try readFile(String(item.dropFirst())) : Array(item.utf8)
        }
        return RequestBody(bytes: bytes, contentType: "application/x-www-form-urlencoded")
    }

    /// A `multipart/form-data` body (RFC 7578) from `-F name=value` and
    /// `-F name=@file[;type=mime][;filename=name]` fields (``CurlFileField``), with a random
    /// boundary that occurs in no part.
    static func multipart(_ fields: [String]) throws(RunOptionError) -> RequestBody {
        var parts: [(headers: String, content: [UInt8])] = []
        for field in fields {
            guard let equals = field.firstIndex(of: "="), equals != field.startIndex else { throw .badFormField(field) }
            let name = quoted(String(field[..<equals]))
            let value = field[field.index(after: equals)...]
            guard value.hasPrefix("@") else {
                parts.append(("Content-Disposition: form-data; name=\(name)\r\n", Array(value.utf8)))
                continue
            }
            guard let file = CurlFileField(value.dropFirst()) else { throw .badFormField(field) }
            let filename = quoted(file.filename)
            parts.append(
                (
                    "Content-Disposition: form-data; name=\(name); filename=\(filename)\r\nContent-Type: \(file.type)\r\n",
                    try readFile(file.path)
                ))
        }
        var boundary = randomBoundary()
        while parts.contains(where: { $0.content.contains(Array(boundary.utf8)) }) { boundary = randomBoundary() }
        var bytes: [UInt8] = []
        for part in parts {
            bytes += Array("--\(boundary)\r\n\(part.headers)\r\n".utf8) + part.content + Array("\r\n".utf8)
        }
        bytes += Array("--\(boundary)--\r\n".utf8)
        return RequestBody(bytes: bytes, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    /// `text` in double quotes, with `"`, CR and LF percent-encoded as browsers do.
    private static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "%22"
            case "\r": result += "%0D"
            case "\n": result += "%0A"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    private static func randomBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        return "cgi-run-" + (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }

    /// The whole content of the file at `path`; `-` is standard input, as in curl.
    private static func readFile(_ path: String) throws(RunOptionError) -> [UInt8] {
        let fd = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadableFile(path, errno: errno) }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw .unreadableFile(path, errno: errno) }
            if count == 0 { return bytes }
            bytes += buffer[..<count]
        }
    }
}
