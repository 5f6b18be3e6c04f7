import Foundation

/// A client socket for tests that need control of each byte and of when the connection ends:
/// sends that never block for long, reads that wait for a text, a half-close.
final class TestClient: @unchecked Sendable {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw TestFailure("connect: \(errno)")
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(descriptor) }

    /// Sends `text` as far as the socket takes it; false once the server has closed.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var sent = 0
        let deadline = Date().addingTimeInterval(10)
        while sent < bytes.count && Date() < deadline {
            let written = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                sent += written
            } else if errno == EAGAIN {
                wait(for: Int16(POLLOUT), within: 1)
            } else {
                return false
            }
        }
        return sent == bytes.count
    }

    /// Sends up to `count` bytes for `seconds`, as many as the connection takes; returns how many it took.
    func push(_ count: Int, for seconds: Double) -> Int {
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
        var sent = 0
        let deadline = Date().addingTimeInterval(seconds)
        while sent < count && Date() < deadline {
            let written = chunk.withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, min($0.count, count - sent), Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                sent += written
            } else if errno == EAGAIN {
                wait(for: Int16(POLLOUT), within: 0.05)
            } else {
                break
            }
        }
        return sent
    }

    /// Reads until `text` has arrived, the peer closes or `seconds` pass. With `other`, it stops
    /// early (returning what came so far) as soon as `other` has anything to read.
    func read(until text: String, within seconds: Double = 10, unless other: TestClient? = nil) -> String {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !String(decoding: received, as: UTF8.self).contains(text), Date() < deadline {
            var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
            if let other { fds.append(pollfd(fd: other.descriptor, events: Int16(POLLIN), revents: 0)) }
            guard poll(&fds, nfds_t(fds.count), 100) > 0 else { continue }
            if fds.count > 1 && fds[1].revents != 0 { break }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Shuts down the sending side, as `nc -N` does after its request.
    func shutdownOutput() {
        shutdown(descriptor, Int32(SHUT_WR))
    }

    private func wait(for events: Int16, within seconds: Double) {
        var fds = [pollfd(fd: descriptor, events: events, revents: 0)]
        _ = poll(&fds, 1, Int32(seconds * 1000))
    }
}
