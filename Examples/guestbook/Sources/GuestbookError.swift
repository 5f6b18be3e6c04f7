/// What keeps the guestbook from answering, in words for the person running it.
enum GuestbookError: Error, CustomStringConvertible {
    /// The data folder, the key or the admin password cannot be set up.
    case configuration(String)

    var description: String {
        switch self {
        case .configuration(let message): "guestbook configuration: \(message)"
        }
    }
}
