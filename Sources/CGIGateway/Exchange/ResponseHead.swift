/// The header block of a script's response, checked and classified (RFC 3875 §6).
///
/// The server sends ``status``, ``reason`` and ``headers`` as they are (it never forwards the
/// `Status` field itself), frames the body with ``contentLength`` when the script gave a valid
/// one (chunked or by closing otherwise), and treats the body as ``kind`` says.
public struct ResponseHead: Sendable, Equatable {
    /// What kind of CGI response this is (RFC 3875 §6.2).
    public enum Kind: Sendable, Equatable {
        /// A document (§6.2.1): send the status, the headers and the script's body.
        case document
        /// A local redirect (§6.2.2): the script wrote only `Location: /path?query`. Discard its
        /// output and serve that path as a new `GET` request instead.
        case localRedirect(String)
        /// A client redirect (§6.2.3): send the status (302 unless the script set one) and the
        /// headers; the script's body is discarded and the server may send a short body of its own.
        case clientRedirect
        /// A client redirect with a document (§6.2.4): `Location`, `Status` and `Content-Type`
        /// were all given; send everything including the script's body.
        case clientRedirectWithDocument
    }

    /// What kind of response this is.
    public var kind: Kind
    /// The HTTP status code, 200–599.
    public var status: Int
    /// The reason phrase: the script's own, or the standard one for ``status``.
    public var reason: String
    /// The header fields to send, in the script's order, without `Status` and without the
    /// fields named in ``droppedHeaders``.
    public var headers: [HeaderField]
    /// Names of the script's fields that the server never trusts and that were removed:
    /// `Connection`, `Keep-Alive`, `Upgrade`, `Trailer`, `TE`, `Proxy-*`, and a `Content-Length`
    /// that is not one valid length. The connection is the server's (RFC 3875 §6.3.4).
    public var droppedHeaders: [String]
    /// The body's length from the script's valid `Content-Length` (not in ``headers``): the
    /// server sends it and holds the script to it. Nil when the script gave none, or for a
    /// response whose body the script does not send.
    public var contentLength: Int?

    /// Creates a response head.
    public init(kind: Kind, status: Int, reason: String, headers: [HeaderField], droppedHeaders: [String] = []) {
        self.kind = kind
        self.status = status
        self.reason = reason
        self.headers = headers
        self.droppedHeaders = droppedHeaders
    }

    /// Whether the script's body belongs in the response.
    public var sendsBody: Bool {
        kind == .document || kind == .clientRedirectWithDocument
    }

    /// The first value of the field named `name` (compared without regard to case).
    public func value(of name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}
