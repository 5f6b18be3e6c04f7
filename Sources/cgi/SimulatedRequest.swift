import CGIGateway
import Glibc

/// The request `cgi run` makes up from its options: what the script is, its environment and body.
struct SimulatedRequest {
    /// The script and the URL split around it.
    let location: ScriptLocation
    /// The method the request uses.
    let method: String
    /// The script's complete environment.
    let environment: [String: String]
    /// The body on the script's standard input (empty for none).
    let body: [UInt8]

    init(_ options: RunCommand) throws(RunOptionError) {
        guard options.timeout > 0, options.timeout.isFinite else { throw .badTimeout(options.timeout) }
        location = try Self.locate(options.script, pathInfo: options.pathInfo)
        let body: RequestBody?
        switch (options.data.isEmpty, options.form.isEmpty) {
        case (false, false): throw .dataAndForm
        case (false, true): body = try .urlencoded(options.data)
        case (true, false): body = try .multipart(options.form)
        case (true, true): body = nil
        }
        method = options.method ?? (body == nil ? "GET" : "POST")
        self.body = body?.bytes ?? []

        var headers = try options.headers.map(Self.header)
        let given = Set(headers.map { $0.name.lowercased() })
        if !given.contains("host") { headers.insert(.init(name: "Host", value: "localhost:8080"), at: 0) }
        if !options.cookies.isEmpty { headers.append(.init(name: "Cookie", value: options.cookies.joined(separator: "; "))) }
        if let body, !given.contains("content-type") { headers.append(.init(name: "Content-Type", value: body.contentType)) }

        let request = ScriptRequest(
            method: method, path: Self.percentEncoded(location.scriptName + location.pathInfo), query: options.query,
            headers: headers, contentLength: body?.bytes.count, remoteAddress: "127.0.0.1", remotePort: 40000,
            serverAddress: "127.0.0.1", serverPort: 8080, serverName: "localhost")
        let configuration = EnvironmentConfiguration(
            documentRoot: Self.siblingDocumentRoot(of: location), setEnvironment: try Self.overrides(options.environment))
        environment = EnvironmentBuilder(configuration: configuration).environment(for: request, script: location)
    }

    /// The script at `path`, named `/cgi-bin/NAME` in the URL: executable, or Swift source.
    private static func locate(_ path: String, pathInfo: String) throws(RunOptionError) -> ScriptLocation {
        guard pathInfo.isEmpty || pathInfo.hasPrefix("/") else { throw .badPathInfo(pathInfo) }
        var info = stat()
        guard stat(path, &info) == 0, let real = realpath(path, nil) else { throw .scriptNotFound(path) }
        defer { free(real) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(path) }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let location = ScriptLocation(scriptPath: String(cString: real), scriptName: "/cgi-bin/" + name, pathInfo: pathInfo)
        guard location.isSwiftSource || access(path, X_OK) == 0 else { throw .notExecutable(path) }
        return location
    }

    /// `NAME=VALUE` assignments from `--env`.
    private static func overrides(_ assignments: [String]) throws(RunOptionError) -> [String: String] {
        var overrides: [String: String] = [:]
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw .badEnvironment(assignment)
            }
            overrides[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
        return overrides
    }

    /// `Name: value` from `-H`.
    private static func header(_ text: String) throws(RunOptionError) -> ScriptRequest.Header {
        guard let colon = text.firstIndex(of: ":") else { throw .badHeader(text) }
        let name = text[..<colon]
        let value = text[text.index(after: colon)...].trimmingPrefix(while: { $0 == " " || $0 == "\t" })
        guard HTTPSyntax.isToken(name), HTTPSyntax.isFieldValue(value) else { throw .badHeader(text) }
        return ScriptRequest.Header(name: String(name), value: String(value))
    }

    /// `path` with every byte outside RFC 3986's path characters percent-encoded.
    private static func percentEncoded(_ path: String) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/!$&'()*+,;=:@".utf8)
        var result = ""
        for byte in path.utf8 {
            if allowed.contains(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return result
    }

    /// `SITE/htdocs` when the script lives in `SITE/cgi-bin`, as cgi-server's layout has it.
    private static func siblingDocumentRoot(of location: ScriptLocation) -> String? {
        var folder = location.directory
        while !folder.isEmpty, folder != "/" {
            let parent = String(folder[..<(folder.lastIndex(of: "/") ?? folder.startIndex)])
            if folder.hasSuffix("/cgi-bin") {
                var info = stat()
                let htdocs = parent + "/htdocs"
                return stat(htdocs, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR ? htdocs : nil
            }
            folder = parent
        }
        return nil
    }
}
