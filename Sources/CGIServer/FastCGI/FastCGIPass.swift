/// Files under the document root whose names end with ``suffix`` are answered by the FastCGI
/// application at ``address`` (`--fastcgi-pass .php=unix:/run/php/php8.2-fpm.sock`), the way
/// nginx's `fastcgi_pass` serves PHP: the application gets the file's absolute path as
/// `SCRIPT_FILENAME`, and the request's meta-variables as PARAMS.
public struct FastCGIPass: Sendable, Equatable {
    /// The end of the file names passed on, such as `.php`.
    public var suffix: String
    /// Where the application listens.
    public var address: FastCGIAddress

    /// A pass of files ending with `suffix` to `address`.
    public init(suffix: String, address: FastCGIAddress) {
        self.suffix = suffix
        self.address = address
    }

    /// Reads `SUFFIX=ADDRESS`, such as `.php=unix:/run/php/php8.2-fpm.sock` or `.php=127.0.0.1:9000`.
    /// - Throws: ``FastCGIPassError`` naming what is wrong.
    public init(parsing text: String) throws(FastCGIPassError) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw FastCGIPassError("\(text) is not SUFFIX=ADDRESS (such as .php=unix:/run/php/php8.2-fpm.sock)")
        }
        let suffix = String(text[..<equals])
        guard !suffix.contains("/") else { throw FastCGIPassError("the suffix \(suffix) contains a /") }
        self.init(suffix: suffix, address: try FastCGIAddress(parsing: String(text[text.index(after: equals)...])))
    }

    /// Whether a file named `name` (the last segment of a decoded URL path) is passed on.
    func matches(_ name: String) -> Bool {
        name.count > suffix.count && name.hasSuffix(suffix)
    }
}
