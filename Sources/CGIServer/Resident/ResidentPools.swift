import CGIGateway
import Glibc
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The server's resident scripts (`--resident GLOB`): which scripts are resident, and one
/// ``ResidentPool`` per script, made on the script's first request, sharing one private socket folder.
final class ResidentPools: Sendable {
    /// fnmatch(3) patterns matched against a script's file name, such as `*.swift`.
    let patterns: [String]
    private let settings: ResidentPool.Settings
    private let folder: SocketFolder
    private let group: any EventLoopGroup
    private let logger: Logger
    private let metrics: ServerMetrics
    private let pools = NIOLockedValueBox([String: ResidentPool]())

    /// Pools for the scripts matching `patterns`, run with `settings` (each pool's workers run in
    /// their script's folder), each recording its ``PoolMetrics`` through `metrics`.
    init(
        patterns: [String], settings: ResidentPool.Settings, group: any EventLoopGroup, logger: Logger,
        metrics: ServerMetrics = .disabled
    ) throws(ListeningSocketError) {
        self.patterns = patterns
        self.settings = settings
        self.group = group
        self.logger = logger
        self.metrics = metrics
        folder = try SocketFolder()
    }

    /// Whether `location`'s script runs resident: its file name matches a pattern.
    func isResident(_ location: ScriptLocation) -> Bool {
        let name = location.scriptPath.split(separator: "/").last.map(String.init) ?? location.scriptPath
        return patterns.contains { fnmatch($0, name, 0) == 0 }
    }

    /// The pool of `location`'s script, made on first use.
    func pool(for location: ScriptLocation) -> ResidentPool {
        pools.withLockedValue { pools in
            if let pool = pools[location.scriptPath] { return pool }
            var settings = settings
            settings.pool.workingDirectory = location.directory
            let pool = ResidentPool(
                script: location.scriptName, settings: settings, folder: folder, index: pools.count + 1,
                loop: group.next(), logger: logger, metrics: PoolMetrics(pool: location.scriptName, metrics: metrics))
            pools[location.scriptPath] = pool
            return pool
        }
    }

    /// Drains every pool (in-flight requests finish; a worker still running after `grace` is
    /// killed), waits until every worker is reaped, and removes the socket folder.
    func stop(grace: Duration) -> EventLoopFuture<Void> {
        let all = pools.withLockedValue { Array($0.values) }
        let loop = group.next()
        return EventLoopFuture.andAllComplete(all.map { $0.stop(grace: grace) }, on: loop).map { [folder] in folder.remove() }
    }
}
