import Foundation
import PostgresNIO

/// A PostgreSQL server and database as a `postgres://USER:PASSWORD@HOST:PORT/DATABASE` URL
/// names them (user and password percent-encoded; port 5432 by default; `?sslmode=`
/// `disable`, `prefer` or `require`).
struct PostgresAddress: Equatable, Sendable {
    /// Whether the connection uses TLS.
    enum TLSMode: String, Sendable {
        case disable, prefer, require
    }

    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String?
    var tlsMode: TLSMode

    /// Parses `url`.
    init(url: String) throws(GuestbookError) {
        guard let parts = URLComponents(string: url), let host = parts.host, !host.isEmpty,
            let username = parts.user, !username.isEmpty
        else { throw .configuration("DATABASE_URL is not postgres://USER:PASSWORD@HOST:PORT/DATABASE") }
        self.host = host
        port = parts.port ?? 5432
        self.username = username
        password = parts.password
        let name = String(parts.path.drop(while: { $0 == "/" }))
        database = name.isEmpty ? nil : name
        let mode = parts.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        guard let tlsMode = TLSMode(rawValue: mode) else {
            throw .configuration("DATABASE_URL's sslmode must be disable, prefer or require, not \(mode)")
        }
        self.tlsMode = tlsMode
    }

    /// How long to wait for the server to accept a connection, in seconds.
    static let connectTimeout = 5

    /// The URL without its password, for messages.
    var redacted: String {
        "postgres://\(username)@\(host):\(port)/\(database ?? "")"
    }

    /// The settings of one connection (a CGI process). With TLS, the context is made here
    /// (it reads the system's trusted certificates), so only when TLS may be used.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch tlsMode {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(Self.connectTimeout))
        return configuration
    }

    /// The settings of a pool (a resident process) of at most `maximumConnections`.
    func clientConfiguration(maximumConnections: Int) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch tlsMode {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(Self.connectTimeout)
        return configuration
    }
}
