// The guestbook: one binary that runs as a CGI script (installed in a site's cgi-bin), as a
// resident FastCGI application (`cgi fastcgi`, `cgi-server --resident`), and as a command:
//
//     guestbook set-admin-password    reads the admin password from standard input and stores its hash
//
// See Examples/guestbook/README.md.
import CGI
import Foundation

let arguments = CommandLine.arguments.dropFirst()
if arguments.first == "set-admin-password" {
    exit(AdminPasswordCommand.run())
} else if let unknown = arguments.first {
    FileHandle.standardError.write(Data("guestbook: unknown command \(unknown); the one command is set-admin-password\n".utf8))
    exit(2)
}

var options = FormOptions()
options.maxFileBytes = Posting.maxImageBytes
options.maxBodyBytes = Posting.maxImageBytes + (64 << 10)

// Opened on the first request, and kept for the next ones when resident. A database that
// cannot be opened (PostgreSQL down) gets the database's error page, and the next request tries again.
var guestbook: Guestbook?
await CGI.run(options: options) { request in
    if guestbook == nil {
        let settings = try Settings(environment: ProcessInfo.processInfo.environment, siteFolder: Settings.siteFolder)
        do {
            guestbook = Guestbook(settings: settings, database: try await settings.database.open(resident: CGI.isResident))
        } catch let failure as DatabaseFailure {
            log("guestbook: \(failure)")
            return failure.response(base: request.scriptName)
        }
    }
    return try await guestbook!.respond(to: request)
}
await guestbook?.database.close()
