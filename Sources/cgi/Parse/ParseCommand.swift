import ArgumentParser
import CGI

/// `cgi parse`: reads one CGI request from this process's environment and standard input,
/// as a script using the `CGI` library would, and prints what it parses to as JSON.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse the CGI request in the environment and on stdin; print its fields as JSON.",
        discussion: """
            Prints {"fields": [...]} with text fields as {"name", "value"} and uploads as \
            {"name", "filename", "sanitized_filename", "content_type", "size", "sha256"} ("filename" as the \
            client sent it, "sanitized_filename" as a script sees it in UploadedFile.filename); a body that is not a form adds \
            "body": {"content_type", "size"}. A rejected request prints {"error": {"kind", "message"}} \
            and exits with status 2.
            """
    )

    @Flag(help: "Keep fields with empty values (a= and a bare a).")
    var keepBlankValues = false

    @Flag(help: "Reject malformed query or urlencoded fields instead of skipping them.")
    var strict = false

    @Option(help: "The most fields (query fields plus body fields or parts). Default 1000.")
    var maxFields: Int?

    @Option(help: "The one ASCII character that separates urlencoded fields.")
    var separator = "&"

    @Option(help: "How form text is decoded: utf-8 or latin-1.")
    var encoding = "utf-8"

    @Option(help: "The largest request body accepted, in bytes (an urlencoded body is also held to 1 MiB of text).")
    var maxBody: Int?

    func validate() throws {
        guard separator.utf8.count == 1, let byte = separator.utf8.first, byte < 0x80 else {
            throw ValidationError("--separator must be exactly one ASCII character")
        }
        guard TextEncoding(name: encoding) != nil else {
            throw ValidationError("--encoding must be utf-8 or latin-1")
        }
        if let maxFields, maxFields < 0 { throw ValidationError("--max-fields must not be negative") }
        if let maxBody, maxBody < 0 { throw ValidationError("--max-body must not be negative") }
    }

    func run() throws {
        var options = FormOptions()
        options.uploadHasher = SecondCoreSHA256.self  // every upload's sha256 is printed: hash it as it is read
        options.keepBlankValues = keepBlankValues
        options.strictParsing = strict
        options.separator = separator.utf8.first!
        options.encoding = TextEncoding(name: encoding)!
        if let maxFields { options.maxFields = maxFields }
        if let maxBody { options.maxBodyBytes = maxBody }
        do {
            print(try Self.describe(Request(options: options)))
        } catch let error as CGIError {
            let details = JSONText.object([
                ("kind", JSONText.string(error.kind)), ("message", JSONText.string(error.description)),
            ])
            print(JSONText.object([("error", details)]))
            throw ExitCode(2)
        }
    }

    /// The request's fields (and unread body) as the JSON document `cgi parse` prints.
    static func describe(_ request: Request) throws -> String {
        var members = [("fields", JSONText.array(try request.form.map(describe)))]
        if let body = request.body, request.method != "GET" && request.method != "HEAD" {
            let size = String(try size(of: body))
            members.append(("body", JSONText.object([("content_type", JSONText.string(request.contentType)), ("size", size)])))
        }
        return JSONText.object(members)
    }

    /// One field: a text field's value, or an upload's file name (as sent, and as a script
    /// sees it), type, size and SHA-256 digest.
    static func describe(_ field: FormField) throws -> String {
        switch field.value {
        case .text(let text, _):
            return JSONText.object([("name", JSONText.string(field.name)), ("value", JSONText.string(text))])
        case .file(let file):
            return JSONText.object([
                ("name", JSONText.string(field.name)), ("filename", JSONText.string(file.rawFilename)),
                ("sanitized_filename", JSONText.string(file.filename)),
                ("content_type", JSONText.string(file.contentType)), ("size", String(file.size)),
                ("sha256", JSONText.string(try file.sha256().hexadecimal)),
            ])
        }
    }

    /// Reads the body to its end and counts its bytes.
    static func size(of body: BodyStream) throws -> Int {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var total = 0
        while case let count = try chunk.withUnsafeMutableBytes({ try body.read(into: $0) }), count > 0 {
            total += count
        }
        return total
    }
}
