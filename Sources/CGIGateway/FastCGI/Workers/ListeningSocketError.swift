import Glibc

/// Why a FastCGI listening socket cannot be made, in words a user can act on.
package enum ListeningSocketError: Error, CustomStringConvertible {
    /// The address is neither `unix:PATH` (under 108 bytes) nor `HOST:PORT`.
    case badListenAddress(String)
    /// A system call on the socket failed.
    case socket(String, errno: Int32)

    /// The message, naming the address or the call that failed.
    package var description: String {
        switch self {
        case .badListenAddress(let text):
            "\(text): expected unix:PATH (under 108 bytes) or HOST:PORT (an IPv4 address or localhost)"
        case .socket(let what, let code): "\(what): \(String(cString: strerror(code)))"
        }
    }
}
