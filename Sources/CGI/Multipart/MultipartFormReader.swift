/// Reads a `multipart/*` body (RFC 7578 `multipart/form-data`, RFC 2046) into form fields,
/// enforcing the limits of ``FormOptions`` while the body streams in.
///
/// - A part with a `filename` parameter (even an empty one) is a file: kept in memory up to
///   ``FormOptions/memoryThreshold``, then spooled to a temporary file. Any other part is a
///   text field, held in memory with its raw bytes. With ``FormOptions/uploadHasher``, each
///   file's SHA-256 is computed as its bytes arrive.
/// - Text is decoded at the end, so a character split between reads is never damaged: with
///   the part's `charset` parameter, else the `_charset_` field's value (RFC 7578 §4.6), else
///   ``FormOptions/encoding``.
/// - A `multipart/mixed` part (RFC 7578 §4.3, HTML 4) gives one file field per inner part,
///   all under the outer part's name.
/// - On any error the files read so far are deleted.
struct MultipartFormReader {
    /// The request's Content-Type, parsed (its `boundary` parameter delimits the parts).
    let contentType: HeaderValue
    /// Limits and decoding options.
    let options: FormOptions

    /// The size of one read from the body.
    static let readSize = 64 << 10

    /// Reads every part of `body`, in order.
    func readFields(from body: BodyStream) throws -> [FormField] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readSize, alignment: 16)
        defer { buffer.deallocate() }
        return try readFields {
            UnsafeRawBufferPointer(rebasing: buffer[..<(try body.read(into: buffer))])
        }
    }

    /// Reads every part from the chunks `nextChunk` returns; an empty chunk ends the body.
    func readFields(nextChunk: () throws -> UnsafeRawBufferPointer) throws -> [FormField] {
        guard let boundary = contentType.parameter("boundary") else {
            throw CGIError.invalidBoundary("")
        }
        var parser = try MultipartParser(
            boundary: boundary, maxHeaderBytes: options.maxPartHeaderBytes, encoding: options.encoding)
        var builder = Builder(options: options)
        while !parser.isComplete {
            let chunk = try nextChunk()
            if chunk.isEmpty {
                try parser.finish { try builder.handle($0) }
            } else {
                try parser.feed(chunk) { try builder.handle($0) }
            }
        }
        return builder.fields()
    }
}

extension MultipartFormReader {
    /// Turns parser events into fields, checking the limits as data arrives.
    private struct Builder {
        let options: FormOptions
        let temporaryDirectory: String

        /// A finished field; text is decoded only at the end (see ``fields()``).
        private enum Entry {
            case text(name: String?, bytes: [UInt8], charset: TextEncoding?, contentType: String)
            case file(name: String?, UploadedFile, contentType: String)
        }

        private struct TextPart {
            var name: String?
            var bytes: [UInt8] = []
            var charset: TextEncoding?
            var contentType: String
        }

        private struct FilePart {
            var name: String?
            var rawFilename: String
            var contentType: String
            var spool: UploadSpool
        }

        /// A `multipart/mixed` part: its own parser, and the name its files go under.
        private struct MixedPart {
            var name: String?
            var parser: MultipartParser
        }

        private var entries: [Entry] = []
        private var text: TextPart?
        private var file: FilePart?
        private var mixed: MixedPart?
        private var partCount = 0
        private var textBytes = 0
        /// Bytes in temporary files of finished uploads.
        private var diskBytes = 0

        init(options: FormOptions) {
            self.options = options
            temporaryDirectory = TemporaryFile.directory(preferred: options.temporaryDirectory)
        }

        /// Handles one event of the form-data body.
        mutating func handle(_ event: MultipartParser.Event) throws {
            if var inner = mixed {
                mixed = nil  // moved out while its parser runs
                let name = inner.name
                if case .partData(let bytes) = event {
                    try inner.parser.feed(bytes) { try handle($0, in: .mixed(name: name)) }
                    mixed = inner
                } else {
                    try inner.parser.finish { try handle($0, in: .mixed(name: name)) }
                }
                return
            }
            try handle(event, in: .form)
        }

        /// Where a part is: directly in the form, or inside a `multipart/mixed` part.
        private enum Level {
            case form
            /// Its parts are files named after the outer part; they are not nested further.
            case mixed(name: String?)
        }

        private mutating func handle(_ event: MultipartParser.Event, in level: Level) throws {
            switch event {
            case .partStart(let headers): try start(headers, in: level)
            case .partData(let bytes): try append(bytes)
            case .partEnd: try end()
            }
        }

        private mutating func start(_ headers: MultipartHeaders, in level: Level) throws {
            partCount += 1
            if partCount > options.maxParts { throw CGIError.tooManyParts(limit: options.maxParts) }
            if let maxFields = options.maxFields, entries.count >= maxFields {
                throw CGIError.tooManyFields(limit: maxFields)
            }
            let disposition = headers["Content-Disposition"].map(HeaderValue.init(parsing:))
            let type = headers["Content-Type"].map(HeaderValue.init(parsing:))
            let contentType = headers["Content-Type"] ?? "text/plain"
            let filename = disposition?.parameter("filename")
            switch level {
            case .form:
                let name = disposition?.parameter("name")
                if let type, type.value.lowercased() == "multipart/mixed" {
                    let parser = try MultipartParser(
                        boundary: type.parameter("boundary") ?? "",
                        maxHeaderBytes: options.maxPartHeaderBytes, encoding: options.encoding)
                    mixed = MixedPart(name: name, parser: parser)
                } else if let filename {
                    startFile(name: name, filename: filename, contentType: contentType)
                } else {
                    let charset = type?.parameter("charset").flatMap(TextEncoding.init(name:))
                    text = TextPart(name: name, charset: charset, contentType: contentType)
                }
            case .mixed(let name):
                startFile(name: name, filename: filename ?? "", contentType: contentType)
            }
        }

        private mutating func startFile(name: String?, filename: String, contentType: String) {
            let spool = UploadSpool(
                memoryThreshold: options.memoryThreshold, directory: temporaryDirectory, hasher: options.uploadHasher)
            file = FilePart(name: name, rawFilename: filename, contentType: contentType, spool: spool)
        }

        private mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
            if text != nil {
                textBytes += bytes.count
                if textBytes > options.maxTextBytes { throw CGIError.textTooLarge(limit: options.maxTextBytes) }
                text?.bytes.append(contentsOf: bytes)
            } else if let size = file?.spool.size {
                let newSize = size + bytes.count
                if newSize > options.maxFileBytes { throw CGIError.fileTooLarge(limit: options.maxFileBytes) }
                if newSize > options.memoryThreshold && diskBytes + newSize > options.maxDiskBytes {
                    throw CGIError.diskQuotaExceeded(limit: options.maxDiskBytes)
                }
                try file?.spool.append(bytes)
            }
        }

        private mutating func end() throws {
            if let part = text {
                text = nil
                entries.append(.text(name: part.name, bytes: part.bytes, charset: part.charset, contentType: part.contentType))
            } else if let part = file {
                file = nil
                let upload = try part.spool.finish(filename: part.rawFilename, contentType: part.contentType)
                if upload.path != nil { diskBytes += upload.size }
                entries.append(.file(name: part.name, upload, contentType: part.contentType))
            }
        }

        /// The fields in arrival order, text decoded.
        func fields() -> [FormField] {
            let declared = entries.lazy.compactMap { entry -> TextEncoding? in
                guard case .text("_charset_", let bytes, _, _) = entry else { return nil }
                return TextEncoding(name: TextEncoding.utf8.decode(bytes).trimmingWhitespace())
            }.first
            let fallback = declared ?? options.encoding
            return entries.map { entry in
                switch entry {
                case .text(let name, let bytes, let charset, let contentType):
                    let text = (charset ?? fallback).decode(bytes)
                    return FormField(name: name, value: .text(text, bytes: bytes), source: .body, contentType: contentType)
                case .file(let name, let upload, let contentType):
                    return FormField(name: name, value: .file(upload), source: .body, contentType: contentType)
                }
            }
        }
    }
}
