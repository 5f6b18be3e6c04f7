/// A file uploaded in a multipart form.
public final class UploadedFile: Sendable {
    /// The client's filename reduced to its last path component (`C:\dir\a.txt` gives
    /// `a.txt`, `../../etc/passwd` gives `passwd`); may be empty.
    public let filename: String
    /// The filename exactly as the client sent it (after RFC 5987 decoding), paths included.
    public let rawFilename: String
    /// The part's Content-Type (`application/octet-stream` when the part has none).
    public let contentType: String
    /// The file's size in bytes.
    public let size: Int
    private let contents: [UInt8]

    /// Creates an in-memory upload.
    public init(rawFilename: String, contentType: String, bytes: [UInt8]) {
        self.rawFilename = rawFilename
        self.filename = rawFilename
        self.contentType = contentType
        self.size = bytes.count
        self.contents = bytes
    }

    /// The whole file in memory.
    public func bytes() throws -> [UInt8] { contents }
}
