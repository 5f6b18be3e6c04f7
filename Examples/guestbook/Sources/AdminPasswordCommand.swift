import CGI
import Foundation

/// `guestbook set-admin-password`: reads a password from standard input (one line), stores
/// its hash in the data folder, and prints the hash for `GUESTBOOK_ADMIN_PASSWORD_HASH`.
enum AdminPasswordCommand {
    /// The shortest password accepted.
    static let minimumLength = 8

    /// Runs the command; returns the exit status.
    static func run() -> Int32 {
        guard let line = readLine(strippingNewline: true), line.count >= minimumLength else {
            FileHandle.standardError.write(
                Data("guestbook: give the admin password (\(minimumLength) characters or more) on standard input\n".utf8))
            return 2
        }
        do {
            let settings = try Settings(environment: ProcessInfo.processInfo.environment, siteFolder: Settings.siteFolder)
            let hash = PasswordHash.make(line)
            let path = settings.dataFolder + "/" + Settings.adminHashFile
            try writeFile(path, hash + "\n", mode: 0o600)
            print("The admin password's hash is in \(path).")
            print("Or set GUESTBOOK_ADMIN_PASSWORD_HASH='\(hash)'")
            return 0
        } catch {
            FileHandle.standardError.write(Data("guestbook: \(error)\n".utf8))
            return 1
        }
    }
}
