/// How a request's form is parsed, and the limits that protect a script from hostile input.
///
/// Every limit has a safe default; raise one only where a script needs it. A request over
/// a limit fails with a ``CGIError`` naming the limit, never with a partial form.
public struct FormOptions: Sendable, Equatable {
    /// Keep fields with empty values (`a=` and a bare `a`) as empty strings.
    /// Off by default, as in Python's `cgi`. Multipart parts are always kept.
    public var keepBlankValues = false
    /// Treat malformed query or urlencoded fields (no `=`, empty fields) as errors
    /// (``CGIError/strictParsing(field:)``) instead of skipping them.
    public var strictParsing = false
    /// The one character that separates urlencoded fields (`&`; `;` is not a separator by
    /// default, see CVE-2021-23336). Must be ASCII.
    public var separator: UInt8 = UInt8(ascii: "&")
    /// How field names, values and filenames are decoded to text. Undecodable bytes become
    /// U+FFFD; the raw bytes stay available on each ``FormField``.
    public var encoding: TextEncoding = .utf8
    /// The largest number of fields (query fields plus body fields or multipart parts), or
    /// nil for no limit.
    public var maxFields: Int? = 1000
    /// The largest request body accepted, in bytes.
    public var maxBodyBytes = 1 << 30
    /// The most bytes of text held in memory: an urlencoded body, or all multipart text
    /// fields together.
    public var maxTextBytes = 1 << 20
    /// The most parts a multipart body may have.
    public var maxParts = 1000
    /// The largest header block of one multipart part, in bytes.
    public var maxPartHeaderBytes = 16 << 10
    /// The largest single uploaded file, in bytes.
    public var maxFileBytes = 1 << 30
    /// The most bytes all uploads of one request may write to temporary files.
    public var maxDiskBytes = 1 << 30
    /// Uploads up to this size stay in memory; larger ones are spooled to a temporary file.
    public var memoryThreshold = 64 << 10
    /// Where upload temporary files go; nil means `$TMPDIR`, or `/tmp` without it.
    public var temporaryDirectory: String? = nil
    /// What computes each upload's SHA-256 while its bytes arrive, so ``UploadedFile/sha256()``
    /// returns it without reading the file a second time; a new one for every upload. nil by
    /// default: a script that wants no checksum pays nothing for it.
    public var uploadHasher: (any UploadHasher.Type)? {
        get { hasher?.type }
        set { hasher = newValue.map(HasherType.init) }
    }
    /// Whether uploads are hashed while they arrive: setting it chooses ``SHA256``, on the
    /// reading thread, as the ``uploadHasher`` (or none).
    public var hashesUploads: Bool {
        get { uploadHasher != nil }
        set { uploadHasher = newValue ? SHA256.self : nil }
    }
    /// ``uploadHasher``, stored so that options stay comparable.
    private var hasher: HasherType?

    /// The defaults: safe limits, `&` separator, UTF-8.
    public init() {}

    /// An upload hasher's type; two are equal when they are the same type.
    private struct HasherType: Sendable, Equatable {
        let type: any UploadHasher.Type

        static func == (left: HasherType, right: HasherType) -> Bool {
            ObjectIdentifier(left.type) == ObjectIdentifier(right.type)
        }
    }

    /// Checks a request's field count against ``maxFields``.
    /// - Throws: ``CGIError/tooManyFields(limit:)`` when `count` is over the limit.
    public func checkFieldCount(_ count: Int) throws {
        if let maxFields, count > maxFields { throw CGIError.tooManyFields(limit: maxFields) }
    }
}
