/// One guestbook entry, as stored (``Store``).
struct Entry: Codable, Sendable {
    /// The row id; nil before the entry is inserted.
    var id: Int64?
    /// Who wrote it (1 to ``Entry/maxNameLength`` characters).
    var name: String
    /// What they wrote (1 to ``Entry/maxMessageLength`` characters).
    var message: String
    /// The SHA-256 of the attached image (its file name in the images folder), if any.
    var image: String?
    /// The image's media type, from its first bytes.
    var imageType: String?
    /// When it was posted, in seconds since 1970.
    var createdAt: Int
    /// When its author last changed it.
    var updatedAt: Int?
    /// Whether the admin hid it from the public pages.
    var hidden: Bool

    /// The longest name accepted.
    static let maxNameLength = 80
    /// The longest message accepted.
    static let maxMessageLength = 4000
    /// How long the author may edit or delete an entry after posting it, in seconds.
    static let editWindow = 600
    /// Entries per page.
    static let pageSize = 20
}
