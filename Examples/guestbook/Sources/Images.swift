import CGI
import Foundation

/// Images posted with entries: judged by their first bytes, stored under their SHA-256 in the
/// images folder (outside htdocs; `GUESTBOOK_IMAGES`), and served back with an ETag and a long
/// cache lifetime (the name changes whenever the content does).
///
/// The database holds only each entry's image name and type, so with several backends the
/// images folder must be one they all mount (NFS, say). That is safe without any locking: a
/// name is its content's hash, so two backends storing the same name store the same bytes,
/// and each writes beside the final name and renames into place, so nobody reads half an image.
struct Images {
    let app: Guestbook

    /// Why an upload is not accepted as an image.
    struct Refusal: Error {
        let message: String
    }

    /// Stores `file` if its bytes are a PNG, JPEG, GIF or WebP picture; returns its hash and type.
    func store(_ file: UploadedFile) throws -> (hash: String, type: String) {
        guard let type = try file.sniffedMediaType(), Posting.imageTypes.contains(type) else {
            throw Refusal(message: "The file \(file.filename) is not a PNG, JPEG, GIF or WebP image, whatever its name says.")
        }
        let hash = try file.sha256().hexadecimal
        let path = self.path(hash)
        if !FileManager.default.fileExists(atPath: path) {
            // Written beside and renamed into place: a reader never sees half an image.
            // A random name: processes on two machines sharing the folder may have the same pid.
            let temporary = path + ".\(SecureRandom.token(byteCount: 12)).part"
            try file.save(to: temporary)
            guard rename(temporary, path) == 0 else {
                unlink(temporary)
                throw CGIError.io(operation: "storing the image \(hash)", errno: errno)
            }
        }
        return (hash, type)
    }

    /// GET /image/HASH.
    func serve(_ request: Request, name: String) async throws -> Response {
        guard name.count == 64,
            name.utf8.allSatisfy({
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }),
            let type = try await app.database.imageType(hash: name)
        else { return Response(status: 404, contentType: "text/plain; charset=utf-8", body: "No such image.\n") }
        var response = try Response.file(at: path(name), for: request, contentType: type)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    }

    private func path(_ hash: String) -> String {
        app.settings.imagesFolder + "/" + hash
    }
}
