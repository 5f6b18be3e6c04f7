/// A file name derived from an untrusted one that is safe to create in a folder: never
/// empty, never hidden (no leading `.`), never a path (no `/`, `\` or NUL), never `.` or
/// `..`, never an option (no leading `-`), at most ``maxLength`` bytes of UTF-8.
enum StorageName {
    /// The longest name made, in UTF-8 bytes (file systems allow 255).
    static let maxLength = 100
    /// The name used when nothing of the original is left.
    static let fallback = "upload"

    /// `name` with every character other than a letter, a digit, `-`, `_` and `.` replaced
    /// by `_`, leading dots, dashes and underscores removed, and the stem shortened to fit
    /// ``maxLength`` with the extension kept.
    static func make(from name: String) -> String {
        var characters = name.map { character -> Character in
            character.isLetter || character.isNumber || "-_.".contains(character) ? character : "_"
        }
        while let first = characters.first, "._-".contains(first) { characters.removeFirst() }
        var text = String(characters)
        if text.isEmpty { return fallback }
        var extensionPart = ""
        if let dot = text.lastIndex(of: "."), text[dot...].utf8.count <= 16 {
            extensionPart = String(text[dot...])
            text = String(text[..<dot])
        }
        while text.utf8.count + extensionPart.utf8.count > maxLength, !text.isEmpty { text.removeLast() }
        let stem = text.isEmpty ? fallback : text
        return stem + extensionPart
    }
}
