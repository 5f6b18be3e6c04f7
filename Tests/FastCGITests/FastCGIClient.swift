import Glibc
import Testing

@testable import CGI

/// A FastCGI client for the tests: it sends records exactly as a test builds them (any
/// padding, any split, any type) and reads the worker's answers, never waiting more than
/// ``timeoutSeconds`` for a byte.
final class FastCGIClient {
    /// One request's answer.
    struct Reply {
        /// The STDOUT bytes.
        var stdout: [UInt8] = []
        /// The STDERR text.
        var stderr = ""
        /// END_REQUEST's application status.
        var appStatus: UInt32 = 0
        /// END_REQUEST's protocol status.
        var protocolStatus: UInt8 = 0
        /// Whether an empty STDOUT record ended the stream before END_REQUEST.
        var stdoutEnded = false
        /// Management records that arrived in between.
        var management: [FastCGIRecord] = []

        /// STDOUT as text.
        var text: String { String(decoding: stdout, as: UTF8.self) }
        /// The response head (before the blank line).
        var head: String { text.components(separatedBy: "\r\n\r\n").first ?? "" }
        /// The response body (after the blank line).
        var body: String { text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n") }
    }

    /// How long a read waits before the test fails.
    static let timeoutSeconds: Int32 = 20
    let socket: Int32
    private var decoder = FastCGIRecordDecoder()

    /// The `sockaddr_un` of `path`.
    static func unixAddress(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
        }
        return address
    }

    /// Connects to the unix socket `path`, a stream socket unless `type` says otherwise.
    init(path: String, type: __socket_type = SOCK_STREAM) throws {
        socket = Glibc.socket(AF_UNIX, Int32(type.rawValue), 0)
        var address = Self.unixAddress(path)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(connected == 0, "connect failed (errno \(errno))")
    }

    deinit { close(socket) }

    // MARK: Sending

    /// Sends raw bytes.
    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Sends one record with `padding` bytes of padding (filled with 0xAA, which a receiver must skip).
    func send(type: UInt8, id: UInt16, content: [UInt8], padding: Int = 0) {
        var bytes: [UInt8] = [
            1, type, UInt8(id >> 8), UInt8(id & 0xFF), UInt8(content.count >> 8), UInt8(content.count & 0xFF), UInt8(padding), 0,
        ]
        bytes += content
        bytes += [UInt8](repeating: 0xAA, count: padding)
        send(bytes)
    }

    /// Sends one record of a known type.
    func send(_ kind: FastCGIRecord.Kind, id: UInt16, _ content: [UInt8] = [], padding: Int = 0) {
        send(type: kind.rawValue, id: id, content: content, padding: padding)
    }

    /// BEGIN_REQUEST for `role` (1 responder, 2 authorizer, 3 filter).
    func begin(id: UInt16 = 1, role: UInt16 = 1, keepConnection: Bool = true) {
        send(.beginRequest, id: id, [UInt8(role >> 8), UInt8(role & 0xFF), keepConnection ? 1 : 0, 0, 0, 0, 0, 0])
    }

    /// PARAMS: the pairs' bytes in records of at most `chunk` bytes, then the empty record.
    func params(id: UInt16 = 1, _ pairs: [String: String], chunk: Int = 65_535) {
        let bytes = FastCGINameValuePairs.encode(pairs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        stream(.params, id: id, bytes, chunk: chunk)
    }

    /// A stream's bytes in records of at most `chunk` bytes, then (with `end`) the empty record.
    func stream(_ kind: FastCGIRecord.Kind, id: UInt16 = 1, _ bytes: [UInt8], chunk: Int = 65_535, end: Bool = true) {
        var offset = 0
        while offset < bytes.count {
            let next = min(offset + chunk, bytes.count)
            send(kind, id: id, Array(bytes[offset..<next]))
            offset = next
        }
        if end { send(kind, id: id) }
    }

    /// The meta-variables of a request to the fixture.
    static func variables(
        method: String = "GET", query: String = "", contentType: String? = nil, contentLength: Int? = nil
    )
        -> [String: String]
    {
        var variables = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": method, "QUERY_STRING": query,
            "SCRIPT_NAME": "/fixture", "SERVER_NAME": "localhost", "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        ]
        if let contentType { variables["CONTENT_TYPE"] = contentType }
        if let contentLength { variables["CONTENT_LENGTH"] = "\(contentLength)" }
        return variables
    }

    /// A whole request: BEGIN_REQUEST, PARAMS, STDIN; then its reply.
    func request(
        id: UInt16 = 1, _ variables: [String: String], body: [UInt8] = [], keepConnection: Bool = true
    ) throws -> Reply {
        begin(id: id, keepConnection: keepConnection)
        params(id: id, variables)
        stream(.stdin, id: id, body)
        return try reply(id: id)
    }

    /// Waits (up to ``timeoutSeconds``) until the worker has read everything sent: the
    /// socket's send queue (SIOCOUTQ, which for a unix socket counts what the peer has not
    /// read yet) is empty.
    func waitUntilReadByWorker() throws {
        for _ in 0..<(Self.timeoutSeconds * 100) {
            var unread: Int32 = 0
            try #require(ioctl(socket, UInt(TIOCOUTQ), &unread) == 0, "SIOCOUTQ failed (errno \(errno))")
            if unread == 0 { return }
            usleep(10_000)
        }
        Issue.record("the worker did not read what was sent within \(Self.timeoutSeconds) s")
    }

    // MARK: Receiving

    /// The next record, or nil when the worker closed the connection.
    func nextRecord() throws -> FastCGIRecord? {
        while true {
            if let record = try decoder.next() { return record }
            var waiter = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&waiter, 1, Self.timeoutSeconds * 1000)
            try #require(ready > 0, "no answer from the worker within \(Self.timeoutSeconds) s")
            var chunk = [UInt8](repeating: 0, count: 64 << 10)
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            decoder.append(Array(chunk[..<count]))
        }
    }

    /// Reads records up to END_REQUEST for `id`.
    func reply(id: UInt16 = 1) throws -> Reply {
        var reply = Reply()
        while let record = try nextRecord() {
            if record.isManagement {
                reply.management.append(record)
                continue
            }
            try #require(record.requestID == id, "a record for request \(record.requestID), expected \(id)")
            switch record.kind {
            case .stdout:
                #expect(!reply.stdoutEnded, "STDOUT after its end")
                if record.content.isEmpty { reply.stdoutEnded = true }
                reply.stdout += record.content
            case .stderr:
                reply.stderr += String(decoding: record.content, as: UTF8.self)
            case .endRequest:
                try #require(record.content.count == 8)
                let c = record.content
                reply.appStatus = UInt32(c[0]) << 24 | UInt32(c[1]) << 16 | UInt32(c[2]) << 8 | UInt32(c[3])
                reply.protocolStatus = c[4]
                return reply
            default:
                Issue.record("unexpected record type \(record.type)")
            }
        }
        Issue.record("the connection closed before END_REQUEST")
        return reply
    }

    /// Reads the stream `kind` (STDOUT or STDERR) of `id` until its text contains `text`;
    /// returns what arrived on it.
    func read(_ kind: FastCGIRecord.Kind, id: UInt16 = 1, until text: String) throws -> String {
        var received: [UInt8] = []
        while !String(decoding: received, as: UTF8.self).contains(text) {
            let record = try #require(try nextRecord(), "the connection closed")
            if record.kind == kind && record.requestID == id { received += record.content }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Whether the worker closed the connection: a read ends the stream (records still
    /// arriving first are skipped).
    func isClosedByWorker() throws -> Bool {
        while try nextRecord() != nil {}
        return true
    }
}
