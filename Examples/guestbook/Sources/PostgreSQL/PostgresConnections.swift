import Logging
import PostgresNIO

/// The guestbook's way to its PostgreSQL server: one connection in a CGI process, which
/// answers one request and ends; a small pool (`PostgresClient`) in a resident process, which
/// answers request after request and gets a new connection when one breaks (the server
/// restarted, say).
///
/// A pool whose server is down keeps trying to connect, and a request waiting for one of its
/// connections would wait for as long (postgres-nio issues 489 and 565), so a request gets
/// ``waitLimit`` for its connection and statement, then ``DatabaseFailure`` (503).
final class PostgresConnections: Sendable {
    private enum Source {
        case single(PostgresConnection)
        case pool(PostgresClient, Task<Void, Never>)
    }

    /// The most connections a resident process opens: it answers one request at a time, so
    /// the second is only there while the first is replaced.
    static let poolSize = 2

    /// How long a request of a resident process waits for a connection and its statement, in seconds.
    static let waitLimit = 5

    /// postgres-nio's log: errors reach the guestbook as thrown errors, so this one is silent.
    static let logger = Logger(label: "guestbook.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    private let source: Source
    /// The server, for messages.
    let address: PostgresAddress

    private init(source: Source, address: PostgresAddress) {
        self.source = source
        self.address = address
    }

    /// Connects to `address`: one connection, or a pool when `resident`.
    static func open(_ address: PostgresAddress, resident: Bool) async throws(DatabaseFailure) -> PostgresConnections {
        do {
            if resident {
                let client = PostgresClient(
                    configuration: address.clientConfiguration(maximumConnections: poolSize), backgroundLogger: logger)
                let task = Task { await client.run() }
                return PostgresConnections(source: .pool(client, task), address: address)
            }
            let connection = try await PostgresConnection.connect(
                configuration: address.connectionConfiguration(), id: 1, logger: logger)
            return PostgresConnections(source: .single(connection), address: address)
        } catch {
            throw DatabaseFailure(error, address: address)
        }
    }

    /// Runs `body` with a connection (the pool's lends one for the time of `body`, and gives
    /// up after ``waitLimit``); a PostgreSQL error comes out as ``DatabaseFailure``.
    func with<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws(DatabaseFailure)
        -> Result
    {
        do {
            switch source {
            case .single(let connection): return try await body(connection)
            case .pool(let client, _):
                return try await withThrowingTaskGroup(of: Result.self) { group in
                    group.addTask { try await client.withConnection { try await body($0) } }
                    group.addTask {
                        try await Task.sleep(for: .seconds(Self.waitLimit))
                        throw DatabaseFailure(
                            isUnavailable: true, detail: "\(self.address.redacted): no connection within \(Self.waitLimit) s")
                    }
                    defer { group.cancelAll() }
                    return try await group.next()!
                }
            }
        } catch let failure as DatabaseFailure {
            throw failure
        } catch {
            throw DatabaseFailure(error, address: address)
        }
    }

    /// Closes the connection, or stops the pool.
    func close() async {
        switch source {
        case .single(let connection): try? await connection.close()
        case .pool(_, let task):
            task.cancel()
            await task.value
        }
    }
}
