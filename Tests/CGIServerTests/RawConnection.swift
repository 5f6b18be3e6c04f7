import Foundation

/// A raw TCP connection for tests where the exact bytes matter.
final class RawConnection {
    private let descriptor: Int32

    init(port: Int, host: String = "127.0.0.1") throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &info) == 0, let info else { throw TestFailure("getaddrinfo") }
        defer { freeaddrinfo(info) }
        descriptor = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard connect(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            close(descriptor)
            throw TestFailure("connect failed: \(errno)")
        }
    }

    deinit { close(descriptor) }

    func send(_ text: String) { send(Data(text.utf8)) }

    func send(_ data: Data) {
        _ = data.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until the peer closes or `seconds` pass without data.
    func readAll(idle seconds: Double = 3) -> Data {
        var result = Data()
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            result.append(contentsOf: buffer[..<count])
        }
        return result
    }

    /// Reads byte by byte until `marker` has arrived (or the connection closes / `seconds` pass
    /// without data); nothing after the marker is consumed.
    func read(until marker: String, idle seconds: Double = 30) -> Data {
        var data = Data()
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        while data.firstRange(of: Data(marker.utf8)) == nil, recv(descriptor, &byte, 1, 0) == 1 {
            data.append(byte)
        }
        return data
    }

    /// Reads until `count` complete responses arrived (or the connection closes / times out).
    func readResponses(_ count: Int, headRequests: Int = 0, idle seconds: Double = 5) -> [HTTPResult] {
        var data = Data()
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let parsed = try? parseResponses(data, headRequests: headRequests), parsed.count >= count,
                (try? isComplete(data, count: count, headRequests: headRequests)) == true
            {
                return parsed
            }
            let received = recv(descriptor, &buffer, buffer.count, 0)
            if received <= 0 { return (try? parseResponses(data, headRequests: headRequests)) ?? [] }
            data.append(contentsOf: buffer[..<received])
        }
    }

    /// Whether the connection was closed by the server (reads EOF within `seconds`).
    func isClosedByPeer(within seconds: Double = 3) -> Bool {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }

    private func isComplete(_ data: Data, count: Int, headRequests: Int) throws -> Bool {
        // A response whose body is delimited by Content-Length or a last chunk is complete when parsed;
        // check the last one ends properly.
        let parsed = try parseResponses(data, headRequests: headRequests)
        guard let last = parsed.last else { return false }
        if let length = last.header("Content-Length").flatMap(Int.init) { return last.body.count == length }
        if last.header("Transfer-Encoding") != nil { return data.suffix(5) == Data("0\r\n\r\n".utf8) }
        return headRequests > 0 || last.status == 304
    }
}
