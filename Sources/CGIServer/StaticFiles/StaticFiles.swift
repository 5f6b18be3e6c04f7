import CGICore
import CGIGateway
import Glibc
import NIOCore
import NIOHTTP1

/// Answers requests for files under the document root: GET and HEAD, `index.html` for folders,
/// conditional requests (ETag, Last-Modified) and single byte ranges. Never lists folders and never
/// serves anything that resolves outside the document root or inside the script folder.
struct StaticFiles: Sendable {
    /// Where files are opened, each checked to lie inside the document root and outside the script folder.
    var documentRoot: DocumentRoot

    /// The response to a GET or HEAD (anything else gets 405) for `path`.
    func respond(to head: HTTPRequestHead, target: RequestTarget) -> ServerResponse {
        guard head.method == .GET || head.method == .HEAD else {
            return StatusPage.response(.methodNotAllowed, headers: ["Allow": "GET, HEAD"])
        }
        let segments = target.path.segments
        guard !segments.contains(where: { $0.contains("/") || $0.contains("\\") }),
            var file = documentRoot.openFile(at: segments.joined(separator: "/"))
        else { return StatusPage.response(.notFound) }
        var name = segments.last ?? ""
        if file.info.st_mode & S_IFMT == S_IFDIR {
            close(file.descriptor)
            guard segments.isEmpty || target.path.hasTrailingSlash else {
                let query = target.rawQuery.isEmpty ? "" : "?\(target.rawQuery)"
                return StatusPage.response(.movedPermanently, headers: ["Location": "\(target.rawPath)/\(query)"])
            }
            name = "index.html"
            guard let index = documentRoot.openFile(at: (segments + [name]).joined(separator: "/")) else {
                return StatusPage.response(.forbidden, detail: "This folder has no index page.")
            }
            file = index
        }
        guard file.info.st_mode & S_IFMT == S_IFREG else {
            close(file.descriptor)
            return StatusPage.response(.forbidden)
        }
        return respond(to: head, file: file, name: name)
    }

    /// The response for an open regular file; `name` (as requested, not where a symbolic link
    /// leads) chooses the `Content-Type`.
    private func respond(to head: HTTPRequestHead, file: DocumentRoot.OpenFile, name: String) -> ServerResponse {
        let descriptor = file.descriptor
        let info = file.info
        let size = Int(info.st_size)
        let modifiedNanoseconds = Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)
        let etag = ETag(inode: UInt64(info.st_ino), size: size, modifiedNanoseconds: modifiedNanoseconds)
        let lastModified = Int(info.st_mtim.tv_sec)
        var headers: HTTPHeaders = [
            "ETag": etag.quoted,
            "Last-Modified": HTTPDate.format(lastModified),
            "Accept-Ranges": "bytes",
        ]
        if isNotModified(head.headers, etag: etag, lastModified: lastModified) {
            close(descriptor)
            return ServerResponse(status: .notModified, headers: headers)
        }
        headers.add(name: "Content-Type", value: FileMediaType.forFileName(name))
        var status = HTTPResponseStatus.ok
        var range = 0..<size
        if head.method == .GET, let rangeHeader = head.headers.first(name: "Range"),
            rangeApplies(head.headers, etag: etag, lastModified: lastModified)
        {
            switch ByteRange.parse(rangeHeader, size: size) {
            case .whole:
                break
            case .part(let requested):
                status = .partialContent
                range = requested
                headers.add(name: "Content-Range", value: "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)")
            case .unsatisfiable:
                close(descriptor)
                return StatusPage.response(.rangeNotSatisfiable, headers: ["Content-Range": "bytes */\(size)"])
            }
        }
        headers.add(name: "Content-Length", value: String(range.count))
        guard head.method == .GET, range.count > 0 else {
            close(descriptor)
            return ServerResponse(status: status, headers: headers)
        }
        guard range.count > Self.inMemoryLimit else {
            defer { close(descriptor) }
            guard let bytes = Self.read(range, of: descriptor) else { return StatusPage.response(.internalServerError) }
            return ServerResponse(status: status, headers: headers, body: .bytes(bytes))
        }
        return ServerResponse(
            status: status, headers: headers,
            body: .file(NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor), range))
    }

    /// Ranges up to this size are read into memory and go out in one write with the head; larger
    /// ones are sent from the file (`sendfile`).
    static let inMemoryLimit = 64 * 1024

    /// The bytes of `range`; `nil` when fewer can be read (the file shrank since it was opened).
    private static func read(_ range: Range<Int>, of descriptor: Int32) -> ByteBuffer? {
        var buffer = ByteBufferAllocator().buffer(capacity: range.count)
        let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: range.count) { pointer in
            max(0, pread(descriptor, pointer.baseAddress, range.count, off_t(range.lowerBound)))
        }
        return count == range.count ? buffer : nil
    }

    /// RFC 9110 §13.2.2: If-None-Match decides when present; otherwise If-Modified-Since.
    private func isNotModified(_ headers: HTTPHeaders, etag: ETag, lastModified: Int) -> Bool {
        if let ifNoneMatch = headers.first(name: "If-None-Match") {
            return etag.matchesAny(ofList: ifNoneMatch)
        }
        guard let text = headers.first(name: "If-Modified-Since"), let since = HTTPDate.parse(text) else {
            return false
        }
        return lastModified <= since
    }

    /// RFC 9110 §13.1.5: a Range applies unless If-Range names another version.
    private func rangeApplies(_ headers: HTTPHeaders, etag: ETag, lastModified: Int) -> Bool {
        guard let ifRange = headers.first(name: "If-Range") else { return true }
        if ifRange.trimmingWhitespace().hasPrefix("\"") { return etag.matchesStrongly(ifRange) }
        return HTTPDate.parse(ifRange) == lastModified
    }
}
