import CGIGateway
import Glibc

/// The listening socket's accept queue as Linux tells it: connections the kernel has completed
/// that no worker has accepted yet, and how many it may hold (the backlog). PHP-FPM's "listen
/// queue" and "listen queue len".
///
/// - TCP: `getsockopt(TCP_INFO)`, whose `tcpi_unacked` is the queue and `tcpi_sacked` the
///   backlog for a listening socket.
/// - Unix socket: a `sock_diag(7)` netlink request for the socket's inode with
///   `UDIAG_SHOW_RQLEN`, whose `udiag_rqueue` is the queue and `udiag_wqueue` the backlog (what
///   `ss -xl` shows). A kernel without unix_diag answers nothing: the queue is then unknown (`nil`).
struct ListenQueue: Sendable {
    /// Connections waiting, and the most that may wait.
    struct Reading: Sendable, Equatable {
        /// Connections completed and not yet accepted.
        var waiting: Int
        /// The backlog: the most that may wait.
        var limit: Int
    }

    /// The listening socket.
    let descriptor: Int32
    /// Where it listens, which says how to read its queue.
    let address: ListenAddress

    /// The queue now, or `nil` when the system cannot tell.
    func read() -> Reading? {
        switch address {
        case .tcp: tcpInfo()
        case .unix: unixDiag()
        }
    }

    /// `struct tcp_info`: eight one-byte fields, then `u32`s: rto, ato, snd_mss, rcv_mss, unacked, sacked.
    private func tcpInfo() -> Reading? {
        var info = [UInt8](repeating: 0, count: 104)
        var length = socklen_t(info.count)
        let result = info.withUnsafeMutableBytes {
            getsockopt(descriptor, Int32(IPPROTO_TCP), Self.tcpInfoOption, $0.baseAddress, &length)
        }
        guard result == 0, length >= 32 else { return nil }
        return Reading(waiting: Int(Self.uint32(info, at: 24)), limit: Int(Self.uint32(info, at: 28)))
    }

    /// One `SOCK_DIAG_BY_FAMILY` request for the socket's inode, and the `UNIX_DIAG_RQLEN` attribute of the answer.
    private func unixDiag() -> Reading? {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        let netlink = socket(AF_NETLINK, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Self.netlinkSockDiag)
        guard netlink >= 0 else { return nil }
        defer { close(netlink) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(netlink, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // struct nlmsghdr (16 bytes), then struct unix_diag_req (24 bytes).
        var request: [UInt8] = []
        func append(_ value: UInt32) { withUnsafeBytes(of: value) { request += $0 } }
        func append(_ value: UInt16) { withUnsafeBytes(of: value) { request += $0 } }
        append(UInt32(40))
        append(Self.sockDiagByFamily)
        append(UInt16(1))  // NLM_F_REQUEST: one socket, by inode
        append(UInt32(1))  // sequence
        append(UInt32(0))  // port id: the kernel
        request += [UInt8(AF_UNIX), 0, 0, 0]
        append(UInt32.max)  // every state
        append(UInt32(truncatingIfNeeded: info.st_ino))
        append(Self.showRQLen)
        append(UInt32.max)  // no cookie to check
        append(UInt32.max)
        guard request.withUnsafeBytes({ send(netlink, $0.baseAddress, $0.count, 0) }) == request.count else { return nil }
        var answer = [UInt8](repeating: 0, count: 8192)
        let count = answer.withUnsafeMutableBytes { recv(netlink, $0.baseAddress, $0.count, 0) }
        // nlmsghdr (16) + unix_diag_msg (16), then attributes (u16 length, u16 type, payload, padded to 4).
        guard count >= 32, Self.uint16(answer, at: 4) == Self.sockDiagByFamily else { return nil }
        var offset = 32
        let end = min(count, Int(Self.uint32(answer, at: 0)))
        while offset + 4 <= end {
            let length = Int(Self.uint16(answer, at: offset))
            guard length >= 4 else { return nil }
            if Self.uint16(answer, at: offset + 2) == Self.unixDiagRQLen, length >= 12, offset + 12 <= end {
                return Reading(waiting: Int(Self.uint32(answer, at: offset + 4)), limit: Int(Self.uint32(answer, at: offset + 8)))
            }
            offset += (length + 3) & ~3
        }
        return nil
    }

    private static let tcpInfoOption: Int32 = 11  // TCP_INFO
    private static let netlinkSockDiag: Int32 = 4  // NETLINK_SOCK_DIAG
    private static let sockDiagByFamily: UInt16 = 20  // SOCK_DIAG_BY_FAMILY
    private static let showRQLen: UInt32 = 0x10  // UDIAG_SHOW_RQLEN
    private static let unixDiagRQLen: UInt16 = 4  // UNIX_DIAG_RQLEN

    private static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func uint16(_ bytes: [UInt8], at offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }
}
