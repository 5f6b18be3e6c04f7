/// The host's choices that shape every script's environment.
public struct EnvironmentConfiguration: Sendable, Equatable {
    /// `SERVER_SOFTWARE`: the server's `name/version` (RFC 3875 §4.1.17).
    public var serverSoftware: String
    /// The folder served as documents (`htdocs`): `DOCUMENT_ROOT`, and the base of
    /// `PATH_TRANSLATED` (RFC 3875 §4.1.6). `nil` leaves both unset.
    public var documentRoot: String?
    /// `PATH` for scripts, unless ``passEnvironment`` or ``setEnvironment`` names `PATH`.
    public var path: String
    /// Names of host environment variables copied to scripts when the host has them
    /// (such as `LANG`, `TZ`); nothing else of the host's environment reaches a script.
    public var passEnvironment: [String]
    /// Variables set for every script, applied last: they win over everything else.
    public var setEnvironment: [String: String]
    /// Whether `Authorization` and `Proxy-Authorization` reach scripts as `HTTP_AUTHORIZATION`
    /// and `HTTP_PROXY_AUTHORIZATION`. Off by default: credentials stay with the server (RFC 3875 §9.2).
    public var passAuthorization: Bool

    /// Creates a configuration; every argument has the safe default.
    public init(
        serverSoftware: String = "swift-cgi/0.1",
        documentRoot: String? = nil,
        path: String = "/usr/local/bin:/usr/bin:/bin",
        passEnvironment: [String] = [],
        setEnvironment: [String: String] = [:],
        passAuthorization: Bool = false
    ) {
        self.serverSoftware = serverSoftware
        self.documentRoot = documentRoot
        self.path = path
        self.passEnvironment = passEnvironment
        self.setEnvironment = setEnvironment
        self.passAuthorization = passAuthorization
    }
}
