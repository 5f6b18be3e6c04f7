import Glibc

extension Response {
    /// A response that sends the file at `path`, as a static file server would.
    ///
    /// ```swift
    /// CGI.run { request in
    ///     try .file(at: "\(request.siteFolder!)/private/report.pdf", for: request)
    /// }
    /// ```
    ///
    /// - The headers: `Content-Type` from the extension (``FileMediaType``) unless
    ///   `contentType` is given, `Content-Length`, `Last-Modified`, an `ETag` made of the
    ///   size and modification time, and `Accept-Ranges: bytes`.
    /// - 304 Not Modified, without a body, when the request's `If-None-Match` names the
    ///   ETag (or `*`), or, without `If-None-Match`, when `If-Modified-Since` is not older than
    ///   the file (RFC 9110 §13.1).
    /// - 206 Partial Content for one `Range: bytes=…` (`a-b`, `a-`, `-n`), unless `If-Range`
    ///   names another version; 416 when the range starts past the end. Several ranges get
    ///   the whole file.
    /// - HEAD gets the headers without the body (RFC 3875 §4.3.2).
    /// - 404 when there is no regular file at `path`.
    ///
    /// The file (or its range) is read into memory: meant for files up to some megabytes.
    /// `path` is used as it is: never build it from the request without checking it.
    /// - Throws: ``CGIError/io(operation:errno:)`` when the file exists but cannot be read.
    public static func file(at path: String, for request: Request, contentType: String? = nil) throws -> Response {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if [ENOENT, ENOTDIR, EISDIR].contains(errno) { return notFound() }
            throw CGIError.io(operation: "opening \(path)", errno: errno)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw CGIError.io(operation: "reading \(path)", errno: errno) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { return notFound() }
        let file = FileVersion(
            size: Int(status.st_size), modified: Int(status.st_mtim.tv_sec),
            modifiedNanoseconds: Int(status.st_mtim.tv_nsec))

        var response = Response(status: 200, contentType: contentType ?? FileMediaType.forFileName(path), bytes: [])
        response.headers["Last-Modified"] = HTTPDate.format(file.modified)
        response.headers["ETag"] = file.etag
        response.headers["Accept-Ranges"] = "bytes"
        let isRead = request.method == "GET" || request.method == "HEAD"
        if isRead, file.isNotModified(for: request.headers) {
            response.status = 304
            response.headers["Content-Type"] = nil
            return response
        }
        var range = 0..<file.size
        if request.method == "GET", let header = request.headers["Range"], file.matchesIfRange(request.headers["If-Range"]) {
            switch ByteRange.parse(header, size: file.size) {
            case .whole: break
            case .part(let part):
                range = part
                response.status = 206
                response.headers["Content-Range"] = "bytes \(part.lowerBound)-\(part.upperBound - 1)/\(file.size)"
            case .unsatisfiable:
                var refusal = Response(status: 416, contentType: "text/plain; charset=utf-8", body: "Range Not Satisfiable\n")
                refusal.headers["Content-Range"] = "bytes */\(file.size)"
                return refusal
            }
        }
        response.headers["Content-Length"] = String(range.count)
        if request.method != "HEAD" { response.body = try read(range, from: descriptor, path: path) }
        return response
    }

    /// The 404 for a missing file.
    private static func notFound() -> Response {
        Response(status: 404, contentType: "text/plain; charset=utf-8", body: "Not Found\n")
    }

    /// The bytes of `range` of the open file, read with pread(2).
    private static func read(_ range: Range<Int>, from descriptor: Int32, path: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: range.count)
        var done = 0
        while done < range.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + done, range.count - done, off_t(range.lowerBound + done))
            }
            if count < 0, errno == EINTR { continue }
            if count < 0 { throw CGIError.io(operation: "reading \(path)", errno: errno) }
            if count == 0 { break }  // the file shrank while being read
            done += count
        }
        return Array(bytes[..<done])
    }
}
