import CGI
import CGIGateway
import Glibc

/// The request `cgi run` makes up from its options: what the script is, its environment and body.
struct SimulatedRequest {
    /// The script and the URL split around it.
    let location: ScriptLocation
    /// The method the request uses.
    let method: String
    /// The script's complete environment, each value as the bytes the script gets.
    let environment: [String: [UInt8]]
    /// The request's id, the script's `UNIQUE_ID` (as cgi-server gives one): a script using
    /// `CGI.run` names its error report after it.
    let uniqueID: String
    /// The body on the script's standard input (empty for none).
    let body: [UInt8]
    /// The request's headers, kept for a local redirect.
    private let headers: [HeaderField]
    /// The environment choices, kept for a local redirect.
    private let configuration: EnvironmentConfiguration

    init(_ options: RunCommand) throws(RunOptionError) {
        guard options.timeout > 0, options.timeout.isFinite else { throw .badTimeout(options.timeout) }
        let location = try Self.locate(options.script, pathInfo: options.pathInfo)
        let body: RequestBody?
        switch (options.data.isEmpty, options.form.isEmpty) {
        case (false, false): throw .dataAndForm
        case (false, true): body = try .urlencoded(options.data)
        case (true, false): body = try .multipart(options.form)
        case (true, true): body = nil
        }
        var headers = try options.headers.map(Self.header)
        let given = Set(headers.map { $0.name.lowercased() })
        if !given.contains("host") { headers.insert(.init(name: "Host", value: "localhost:8080"), at: 0) }
        if !options.cookies.isEmpty { headers.append(.init(name: "Cookie", value: options.cookies.joined(separator: "; "))) }
        if let body, !given.contains("content-type") { headers.append(.init(name: "Content-Type", value: body.contentType)) }
        let configuration = EnvironmentConfiguration(
            documentRoot: Self.cgiBinFolder(of: location).flatMap(Self.siblingDocumentRoot),
            passEnvironment: options.passEnvironment,
            setEnvironment: (options.dev ? ["CGI_DEBUG": "1"] : [:]).merging(try Self.overrides(options.environment)) { $1 })
        self.init(
            location: location, method: options.method ?? (body == nil ? "GET" : "POST"), query: options.query,
            headers: headers, body: body?.bytes, configuration: configuration, uniqueID: ReportID.make().description)
    }

    private init(
        location: ScriptLocation, method: String, query: String, headers: [HeaderField], body: [UInt8]?,
        configuration: EnvironmentConfiguration, uniqueID: String
    ) {
        self.uniqueID = uniqueID
        self.location = location
        self.method = method
        self.body = body ?? []
        self.headers = headers
        self.configuration = configuration
        let request = ScriptRequest(
            method: method, path: Self.percentEncoded(location.scriptName + location.pathInfo), query: query,
            headers: headers, contentLength: body?.count, remoteAddress: "127.0.0.1", remotePort: 40000,
            serverAddress: "127.0.0.1", serverPort: 8080, serverName: "localhost", uniqueID: uniqueID)
        environment = EnvironmentBuilder(configuration: configuration).environmentBytes(for: request, script: location)
    }

    /// The request cgi-server makes for a local redirect to `target` (`/path?query`): a `GET`
    /// without a body. `nil` unless the path names a script in this script's `cgi-bin` folder.
    func redirected(to target: String) -> SimulatedRequest? {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard let folder = Self.cgiBinFolder(of: location),
            let next = try? ScriptResolver(root: folder).resolve(path: String(parts[0]))
        else { return nil }
        return SimulatedRequest(
            location: next, method: "GET", query: parts.count > 1 ? String(parts[1]) : "",
            headers: headers.filter { $0.name.lowercased() != "content-type" }, body: nil, configuration: configuration,
            uniqueID: uniqueID)
    }

    /// The script at `path` (executable, or Swift source), named in the URL after its path
    /// below the enclosing `cgi-bin` folder, or `/cgi-bin/NAME` when there is none.
    private static func locate(_ path: String, pathInfo: String) throws(RunOptionError) -> ScriptLocation {
        guard pathInfo.isEmpty || pathInfo.hasPrefix("/") else { throw .badPathInfo(pathInfo) }
        var info = stat()
        guard stat(path, &info) == 0, let resolved = realpath(path, nil) else { throw .scriptNotFound(path) }
        let real = String(cString: resolved)
        free(resolved)
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(path) }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        var location = ScriptLocation(scriptPath: real, scriptName: "/cgi-bin/" + name, pathInfo: pathInfo)
        if let folder = cgiBinFolder(of: location) {
            location.scriptName = "/cgi-bin" + real.dropFirst(folder.count)
        }
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

    /// `Name: value` from `-H`; a value given with bytes that are not UTF-8 keeps them.
    private static func header(_ text: String) throws(RunOptionError) -> HeaderField {
        guard let colon = text.firstIndex(of: ":") else { throw .badHeader(text) }
        let name = text[..<colon]
        let value = text[text.index(after: colon)...].trimmingPrefix(while: { $0 == " " || $0 == "\t" })
        guard HTTPSyntax.isToken(name), HTTPSyntax.isFieldValue(value) else { throw .badHeader(text) }
        var rawValue: [UInt8]?
        if value.contains("\u{FFFD}"), let raw = RawArgument.bytes(of: text) {
            // The name is ASCII (a token): the value's bytes start where its text does.
            let bytes = Array(raw[(name.utf8.count + 1)...].drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            if String(validating: bytes, as: UTF8.self) == nil { rawValue = bytes }
        }
        return HeaderField(name: String(name), value: String(value), rawValue: rawValue)
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

    /// The nearest folder named `cgi-bin` that holds the script, as in cgi-server's site layout.
    private static func cgiBinFolder(of location: ScriptLocation) -> String? {
        var folder = Substring(location.directory)
        while !folder.isEmpty, folder != "/" {
            if folder.hasSuffix("/cgi-bin") { return String(folder) }
            folder = folder[..<(folder.lastIndex(of: "/") ?? folder.startIndex)]
        }
        return nil
    }

    /// `SITE/htdocs` beside `SITE/cgi-bin`, when it exists.
    private static func siblingDocumentRoot(of cgiBin: String) -> String? {
        var info = stat()
        let htdocs = String(cgiBin.dropLast("cgi-bin".count)) + "htdocs"
        return stat(htdocs, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR ? htdocs : nil
    }
}
