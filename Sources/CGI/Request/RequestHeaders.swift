/// The HTTP request header fields a CGI server passed on: every `HTTP_*` meta-variable
/// (RFC 3875 §4.1.18) plus CONTENT_TYPE and CONTENT_LENGTH, which servers pass without
/// the prefix (§4.1.2, §4.1.3).
///
/// Lookup ignores case and treats `-` and `_` alike, so `headers["user-agent"]`,
/// `headers["User-Agent"]` and `headers["USER_AGENT"]` all find HTTP_USER_AGENT.
public struct RequestHeaders: Sendable, Equatable, Sequence {
    /// The fields as (name, value) pairs, names in HTTP form (`User-Agent`), sorted by name.
    public let fields: [(name: String, value: String)]

    /// Collects the header fields from CGI meta-variables.
    public init(environment: [String: String]) {
        var fields: [(name: String, value: String)] = []
        for (variable, value) in environment {
            if variable.hasPrefix("HTTP_") {
                fields.append((Self.httpName(variable.dropFirst(5)), value))
            } else if variable == "CONTENT_TYPE" || variable == "CONTENT_LENGTH" {
                fields.append((Self.httpName(Substring(variable)), value))
            }
        }
        self.fields = fields.sorted { $0.name < $1.name }
    }

    /// The value of the header `name`, or nil.
    public subscript(name: String) -> String? {
        let wanted = Self.key(name)
        return fields.first { Self.key($0.name) == wanted }?.value
    }

    /// Iterates the fields in name order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    /// Compares names and values in order.
    public static func == (lhs: RequestHeaders, rhs: RequestHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    /// `USER_AGENT` as `User-Agent`. Header names are tokens, so only ASCII letters change
    /// case; other bytes stay as they are.
    private static func httpName(_ variable: Substring) -> String {
        // A scan over the bytes rather than split/map/joined and String case mapping: this
        // runs for every header of every request, and those generic algorithms cost a script's
        // start-up more in first-use type metadata than the work itself.
        var name: [UInt8] = []
        name.reserveCapacity(variable.utf8.count)
        var startsWord = true
        for byte in variable.utf8 {
            if byte == UInt8(ascii: "_") {
                name.append(UInt8(ascii: "-"))
                startsWord = true
                continue
            }
            let isUpper = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
            let isLower = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
            if startsWord && isLower {
                name.append(byte - 32)
            } else if !startsWord && isUpper {
                name.append(byte + 32)
            } else {
                name.append(byte)
            }
            startsWord = false
        }
        return String(decoding: name, as: UTF8.self)
    }

    /// The form names are compared in: upper case, `-` as `_`.
    private static func key(_ name: String) -> String {
        String(name.uppercased().map { $0 == "-" ? "_" : $0 })
    }
}
