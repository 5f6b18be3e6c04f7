/// Recognises common file types by their first bytes ("magic numbers"), so that an upload
/// is judged by what it holds rather than by the name or Content-Type the client claims.
///
/// ```swift
/// guard let photo = request.form.file("photo"),
///       let type = try photo.sniffedMediaType(), type.hasPrefix("image/") else { … }
/// ```
public enum FileSignature {
    /// How many leading bytes ``mediaType(of:)`` needs at most.
    public static let prefixLength = 16

    /// The media type the leading bytes announce: PNG, JPEG, GIF, WebP, AVIF, TIFF, PDF, ZIP
    /// (also DOCX, XLSX, ODT, EPUB, JAR), GZIP, MP4, MP3, Ogg, WAV; nil when none matches.
    public static func mediaType(of bytes: some Collection<UInt8>) -> String? {
        let head = Array(bytes.prefix(prefixLength))
        func at(_ offset: Int, _ signature: [UInt8]) -> Bool {
            head.count >= offset + signature.count && head[offset..<offset + signature.count].elementsEqual(signature)
        }
        func at(_ offset: Int, _ text: String) -> Bool { at(offset, Array(text.utf8)) }
        if at(0, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if at(0, [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if at(0, "GIF87a") || at(0, "GIF89a") { return "image/gif" }
        if at(0, "RIFF") && at(8, "WEBP") { return "image/webp" }
        if at(0, "RIFF") && at(8, "WAVE") { return "audio/wav" }
        if at(4, "ftypavif") { return "image/avif" }
        if at(4, "ftyp") { return "video/mp4" }
        if at(0, [0x49, 0x49, 0x2A, 0x00]) || at(0, [0x4D, 0x4D, 0x00, 0x2A]) { return "image/tiff" }
        if at(0, "%PDF-") { return "application/pdf" }
        if at(0, [0x50, 0x4B, 0x03, 0x04]) || at(0, [0x50, 0x4B, 0x05, 0x06]) { return "application/zip" }
        if at(0, [0x1F, 0x8B]) { return "application/gzip" }
        if at(0, "ID3") { return "audio/mpeg" }
        if at(0, "OggS") { return "audio/ogg" }
        return nil
    }
}
