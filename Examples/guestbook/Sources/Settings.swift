import CGI
import Foundation

/// Where the guestbook keeps its data and secrets, read once per process.
///
/// - `GUESTBOOK_DATA`: the data folder (the SQLite database, images, the signing key, the
///   admin password's hash). Default: `private/guestbook` in the site folder (the folder above
///   the `cgi-bin` holding the binary), beside `htdocs` and `cgi-bin`, which the server does not serve.
/// - `GUESTBOOK_IMAGES`: the folder of posted images. Default: `images` in the data folder.
///   With several machines, a folder they all mount (``Images``).
/// - `DATABASE_URL`: where the entries are (``DatabaseLocation``). Default: SQLite in the data folder.
/// - `GUESTBOOK_SECRET`: the key that signs cookies and CSRF tokens (32 characters or more).
///   Default: `secret.key` in the data folder, made on first use.
/// - `GUESTBOOK_ADMIN_PASSWORD_HASH`: the admin password's hash (`guestbook set-admin-password`
///   prints it). Default: `admin-password.hash` in the data folder, which that command writes.
struct Settings {
    /// The data folder, without a trailing slash.
    let dataFolder: String
    /// The images folder, without a trailing slash.
    let imagesFolder: String
    /// Where the entries are kept.
    let database: DatabaseLocation
    /// Signs cookies and CSRF tokens.
    let signer: Signer
    /// The admin password's stored hash (``PasswordHash``); nil until one is set.
    let adminPasswordHash: String?

    /// The site this binary is installed in: the folder above the `cgi-bin` folder holding
    /// the executable (symbolic links resolved).
    static var siteFolder: String? {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return URL(fileURLWithPath: executable).deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// The name of the file holding the admin password's hash, in the data folder.
    static let adminHashFile = "admin-password.hash"

    /// The settings from the process's `environment`, with `siteFolder` for the default data folder.
    init(environment: [String: String], siteFolder: String?) throws(GuestbookError) {
        func variable(_ name: String) -> String? {
            environment[name]
        }
        guard let folder = variable("GUESTBOOK_DATA") ?? siteFolder.map({ $0 + "/private/guestbook" }) else {
            throw .configuration("set GUESTBOOK_DATA to the guestbook's data folder")
        }
        dataFolder = folder
        try Self.makeFolder(folder)
        imagesFolder = variable("GUESTBOOK_IMAGES") ?? folder + "/images"
        try Self.makeFolder(imagesFolder)
        database = try DatabaseLocation(url: variable("DATABASE_URL"), dataFolder: folder)
        var key = Array((variable("GUESTBOOK_SECRET") ?? "").utf8)
        if key.isEmpty { key = try Self.keyFile(folder + "/secret.key") }
        do {
            signer = try Signer(key: key)
        } catch {
            throw .configuration("the signing key (GUESTBOOK_SECRET or secret.key): \(error)")
        }
        adminPasswordHash =
            variable("GUESTBOOK_ADMIN_PASSWORD_HASH") ?? (try? readFile(folder + "/" + Self.adminHashFile))?.trimmed
    }

    /// Creates `path` (mode 0700) and its parents if missing.
    static func makeFolder(_ path: String) throws(GuestbookError) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .configuration("cannot create the folder \(path): \(error.localizedDescription)")
        }
    }

    /// The key in `path`, made on first use. A new key is written to a temporary file and
    /// linked into place, so a process starting at the same moment reads either no file or a
    /// whole one, and all agree on the first key linked.
    static func keyFile(_ path: String) throws(GuestbookError) -> [UInt8] {
        if let key = try? readFile(path), !key.isEmpty { return Array(key.utf8) }
        let temporary = path + ".\(getpid())"
        try writeFile(temporary, SecureRandom.token(), mode: 0o600)
        link(temporary, path)
        unlink(temporary)
        guard let key = try? readFile(path), !key.isEmpty else {
            throw .configuration("cannot read the signing key \(path)")
        }
        return Array(key.utf8)
    }
}

/// The text of the file at `path`.
func readFile(_ path: String) throws(GuestbookError) -> String {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw .configuration("cannot read \(path)")
    }
    return text
}

/// Writes `text` to a new file at `path` with `mode`, replacing any file there.
func writeFile(_ path: String, _ text: String, mode: Int) throws(GuestbookError) {
    guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode])
    else { throw .configuration("cannot write \(path)") }
}

extension String {
    /// The string without leading and trailing white space.
    var trimmed: String {
        trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
