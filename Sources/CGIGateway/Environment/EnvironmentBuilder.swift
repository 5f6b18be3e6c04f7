import CGICore
import Glibc

/// Builds a script's environment from scratch: the meta-variables of RFC 3875 §4.1, the common
/// extras (`SCRIPT_FILENAME`, `REQUEST_URI`, `DOCUMENT_ROOT`, `REMOTE_PORT`, `SERVER_ADDR`,
/// `REQUEST_SCHEME`, `HTTPS`, `UNIQUE_ID`), `HTTP_*` variables from request headers, and only those host
/// variables the configuration names.
///
/// Request headers become `HTTP_*` variables (RFC 3875 §4.1.18) with these rules:
/// - a name that is not `[A-Za-z0-9-]+` is dropped, so `X_User` cannot pose as `X-User`;
/// - spaces and tabs around a value are not part of it (OWS, RFC 9112 §5.1) and are removed;
/// - a value with NUL, CR or LF is dropped;
/// - `Proxy` is always dropped (httpoxy: no script ever sees `HTTP_PROXY`);
/// - `Authorization` and `Proxy-Authorization` are dropped unless
///   ``EnvironmentConfiguration/passAuthorization`` is set;
/// - `Content-Type` and `Content-Length` appear only as `CONTENT_TYPE` and `CONTENT_LENGTH`;
/// - repeated headers are joined with `, ` in arrival order (`Cookie` with `; `).
public struct EnvironmentBuilder: Sendable {
    /// The host's choices.
    public var configuration: EnvironmentConfiguration
    /// The host's own environment, the source of ``EnvironmentConfiguration/passEnvironment``.
    public var hostEnvironment: [String: String]

    /// Creates a builder; `hostEnvironment` defaults to this process's environment.
    public init(configuration: EnvironmentConfiguration = .init(), hostEnvironment: [String: String]? = nil) {
        self.configuration = configuration
        self.hostEnvironment = hostEnvironment ?? Self.processEnvironment()
    }

    /// The complete environment for running `script` for `request`, each value as the bytes the
    /// script gets: a header value holds exactly the bytes the client sent (``HeaderField/valueBytes``).
    public func environmentBytes(for request: ScriptRequest, script: ScriptLocation) -> [String: [UInt8]] {
        var texts = hostVariables()
        addMetaVariables(request, script, to: &texts)
        var environment: [String: [UInt8]] = [:]
        environment.reserveCapacity(24 + configuration.passEnvironment.count + request.headers.count)
        for (name, value) in texts {
            environment[name] = Array(value.utf8)
        }
        if let type = request.headers.first(where: { $0.name.lowercased() == "content-type" }) {
            let value = type.valueBytes
            if Self.isSafe(value) { environment["CONTENT_TYPE"] = Array(HTTPSyntax.trimmingWhitespace(value[...])) }
        }
        environment.merge(headerVariables(request.headers)) { $1 }
        for (name, value) in configuration.setEnvironment {
            environment[name] = Array(value.utf8)
        }
        return environment
    }

    /// The complete environment for running `script` for `request`, as text: ``environmentBytes(for:script:)``
    /// with bytes that are not UTF-8 shown as U+FFFD.
    public func environment(for request: ScriptRequest, script: ScriptLocation) -> [String: String] {
        environmentBytes(for: request, script: script).mapValues { String(decoding: $0, as: UTF8.self) }
    }

    /// The environment of a resident (FastCGI) worker process: what every script gets that does
    /// not depend on a request (`PATH`, the passed and the set variables); the request's
    /// meta-variables travel as FastCGI PARAMS instead.
    public func workerEnvironment() -> [String: String] {
        var environment = hostVariables()
        environment.merge(configuration.setEnvironment) { $1 }
        return environment
    }

    /// `PATH` and the host variables the configuration passes on.
    private func hostVariables() -> [String: String] {
        var environment = ["PATH": configuration.path]
        environment.reserveCapacity(1 + configuration.passEnvironment.count)
        for name in configuration.passEnvironment {
            environment[name] = hostEnvironment[name]
        }
        return environment
    }

    /// Sets the meta-variables, replacing what `variables` holds under their names.
    private func addMetaVariables(_ request: ScriptRequest, _ script: ScriptLocation, to variables: inout [String: String]) {
        variables["GATEWAY_INTERFACE"] = "CGI/1.1"
        variables["SERVER_SOFTWARE"] = configuration.serverSoftware
        variables["SERVER_NAME"] = request.serverName
        variables["SERVER_PORT"] = String(request.serverPort)
        variables["SERVER_ADDR"] = request.serverAddress
        variables["SERVER_PROTOCOL"] = request.serverProtocol
        variables["REQUEST_METHOD"] = request.method
        variables["REQUEST_URI"] = request.requestURI
        variables["REQUEST_SCHEME"] = request.isHTTPS ? "https" : "http"
        variables["QUERY_STRING"] = request.query
        variables["SCRIPT_NAME"] = script.scriptName
        variables["SCRIPT_FILENAME"] = script.scriptPath
        variables["REMOTE_ADDR"] = request.remoteAddress
        variables["REMOTE_HOST"] = request.remoteAddress
        variables["REMOTE_PORT"] = String(request.remotePort)
        if request.isHTTPS { variables["HTTPS"] = "on" }
        if !script.pathInfo.isEmpty {
            variables["PATH_INFO"] = script.pathInfo
            if let root = configuration.documentRoot { variables["PATH_TRANSLATED"] = root + script.pathInfo }
        }
        if let root = configuration.documentRoot { variables["DOCUMENT_ROOT"] = root }
        if let length = request.contentLength, length > 0 { variables["CONTENT_LENGTH"] = String(length) }
        if let user = request.remoteUser { variables["REMOTE_USER"] = user }
        if let type = request.authType { variables["AUTH_TYPE"] = type }
        if let id = request.uniqueID, Self.isSafe(Array(id.utf8)) { variables["UNIQUE_ID"] = id }
    }

    private func headerVariables(_ headers: [HeaderField]) -> [String: [UInt8]] {
        var variables: [String: [UInt8]] = [:]
        for header in headers where isPassed(header) {
            // The name is letters, digits and `-` (isPassed): upper-cased and `-` → `_` byte by byte.
            let name = "HTTP_" + String(decoding: header.name.utf8.map(Self.variableNameByte), as: UTF8.self)
            let value = HTTPSyntax.trimmingWhitespace(header.valueBytes[...])
            if let earlier = variables[name] {
                variables[name] = earlier + (name == "HTTP_COOKIE" ? "; " : ", ").utf8 + value
            } else {
                variables[name] = Array(value)
            }
        }
        return variables
    }

    private func isPassed(_ header: HeaderField) -> Bool {
        guard !header.name.isEmpty, header.name.utf8.allSatisfy(Self.isNameByte), Self.isSafe(header.valueBytes) else {
            return false
        }
        switch header.name.lowercased() {
        case "proxy", "content-type", "content-length": return false
        case "authorization", "proxy-authorization": return configuration.passAuthorization
        default: return true
        }
    }

    /// Whether a value can go into the environment: no NUL, CR or LF.
    private static func isSafe(_ value: [UInt8]) -> Bool {
        !value.contains { $0 == 0 || $0 == 0x0A || $0 == 0x0D }
    }

    private static func variableNameByte(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "-"): UInt8(ascii: "_")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - 0x20
        default: byte
        }
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// This process's environment as a dictionary.
    public static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return result
    }
}
