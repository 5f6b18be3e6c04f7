/// The part of a `-F name=@…` option after the `@`, read the way curl reads it: the file's
/// path, then `;type=MIME` and `;filename=NAME` in any order. The path and each value may be
/// in double quotes (with `\"` and `\\` inside), so that they can hold `;`. Without `;type=`,
/// the type is curl's guess from the sent name's extension, then the path's
/// (``typesByExtension``), else `application/octet-stream`.
///
/// `@photo.png;type=image/png;filename=../x.png` sends `photo.png` as `image/png` under the
/// name `../x.png`, exactly as given (a script must sanitize it: this is how to test that).
struct CurlFileField: Equatable {
    /// The file to send.
    var path: String
    /// The part's `Content-Type`.
    var type: String
    /// The `filename` parameter: by default the path's last component.
    var filename: String

    /// Parses `text` (what follows the `@`); nil when it is malformed: an empty path or type,
    /// an unterminated quote, or a parameter curl does not know here.
    init?(_ text: Substring) {
        var rest = text
        guard let path = Self.word(&rest), !path.isEmpty else { return nil }
        self.path = path
        filename = String(path.split(separator: "/").last ?? "")
        var type: String?
        while !rest.isEmpty {
            guard rest.first == ";" else { return nil }
            rest.removeFirst()
            if rest.hasPrefix("type=") {
                rest.removeFirst(5)
                guard let given = Self.word(&rest), !given.isEmpty else { return nil }
                type = given
            } else if rest.hasPrefix("filename=") {
                rest.removeFirst(9)
                guard let filename = Self.word(&rest) else { return nil }
                self.filename = filename
            } else {
                return nil
            }
        }
        self.type = type ?? Self.guessedType(filename) ?? Self.guessedType(path) ?? "application/octet-stream"
    }

    /// The types curl guesses from a file name's extension (ignoring case), from its `mime.c`.
    static let typesByExtension = [
        "gif": "image/gif", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "svg": "image/svg+xml",
        "txt": "text/plain", "htm": "text/html", "html": "text/html", "pdf": "application/pdf", "xml": "application/xml",
    ]

    /// The type curl guesses for `name`, or nil.
    private static func guessedType(_ name: String) -> String? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        return typesByExtension[name[name.index(after: dot)...].lowercased()]
    }

    /// Takes a double-quoted string, or else the text up to the next `;`, off the front of
    /// `text`; nil for an unterminated quote.
    private static func word(_ text: inout Substring) -> String? {
        guard text.first == "\"" else {
            let end = text.firstIndex(of: ";") ?? text.endIndex
            defer { text = text[end...] }
            return String(text[..<end])
        }
        var word = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            var character = text[index]
            if character == "\"" {
                text = text[text.index(after: index)...]
                return word
            }
            if character == "\\", text.index(after: index) < text.endIndex,
                ["\"", "\\"].contains(text[text.index(after: index)])
            {
                index = text.index(after: index)
                character = text[index]
            }
            word.append(character)
            index = text.index(after: index)
        }
        return nil
    }
}
