import CGIAdmin

/// What `cgi fastcgi --admin` serves: `/metrics`, `/status?format=json` and `/status`, each
/// written from a ``PoolStatusReport`` of the board's snapshot at the moment it is asked.
final class PoolAdmin: AdminPages {
    /// Where the manager posts the pool's state.
    let board: PoolStatusBoard
    private let pool: PoolStatusReport.Pool
    private let metrics: PoolMetrics

    /// The pages of `pool`, read from `board`.
    init(board: PoolStatusBoard, pool: PoolStatusReport.Pool) {
        self.board = board
        self.pool = pool
        metrics = PoolMetrics(workers: pool.maxChildren)
    }

    /// The pool now.
    func report() -> PoolStatusReport {
        let (snapshot, queue) = board.read()
        return PoolStatusReport(snapshot: snapshot, queue: queue, pool: pool)
    }

    /// `/metrics`.
    func metricsText() -> [UInt8] { metrics.text(report()) }

    /// `/status?format=json`.
    func statusJSON() -> String { report().json }

    /// `/status`.
    func statusHTML() -> String { report().html }
}
