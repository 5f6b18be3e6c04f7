import NIOCore
import NIOHTTP1

/// A complete response the server composes itself: a static file, a redirect or an error page.
struct ServerResponse {
    /// What follows the head.
    enum Body {
        /// No body (HEAD, 304, or a response whose length is in the headers only).
        case empty
        /// Bytes already in memory.
        case bytes(ByteBuffer)
        /// A byte range of an open file; the writer closes the handle when done.
        case file(NIOFileHandle, Range<Int>)
    }

    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: Body

    init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: Body = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
