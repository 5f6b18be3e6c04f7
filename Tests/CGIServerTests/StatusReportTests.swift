import Foundation
import Testing

@testable import CGIServer

/// The status report built from a metrics registry: percentiles, the resident pools a pool's
/// ``PoolMetrics`` make appear, and the three renderings (Prometheus, JSON, HTML) agreeing.
@Suite struct StatusReportTests {
    @Test func percentilesTakeTheNearestRank() {
        let values = (1...100).map { Int64($0) * 1_000_000 }  // 1 ms … 100 ms
        let percentiles = Percentiles(nanoseconds: values.shuffled())
        #expect(percentiles.p50 == 0.050)
        #expect(percentiles.p90 == 0.090)
        #expect(percentiles.p99 == 0.099)
        #expect(Percentiles(nanoseconds: [7_000_000]).p99 == 0.007)
        #expect(Percentiles(nanoseconds: []).p50 == nil)
    }

    @Test func aPoolsMetricsShowInEveryRendering() throws {
        let registry = MetricsRegistry()
        let metrics = ServerMetrics(factory: registry)
        let pool = PoolMetrics(pool: "app.swift", metrics: metrics)
        pool.busyWorkers.set(2)
        pool.idleWorkers.set(3)
        pool.restarts.increment()
        pool.overloaded.increment(by: 4)
        metrics.recordResponse(.resident, status: 200, nanoseconds: 3_000_000, bodyBytes: 10)
        metrics.recordResponse(.fastCGIPass, status: 503, nanoseconds: 5_000_000, bodyBytes: 0)

        let report = StatusReport(registry: registry, recentErrors: RecentErrors(), uptime: 10) { Double($0) / 10 }
        #expect(report.requests == 2)
        #expect(report.requestsPerSecond == 0.2)
        let row = try #require(report.pools.first)
        #expect(report.pools.count == 1)
        #expect((row.name, row.busy, row.idle, row.restarts, row.recycles, row.overloaded) == ("app.swift", 2, 3, 1, 0, 4))
        let resident = try #require(report.responders.first { $0.kind == .resident })
        #expect(resident.byStatusClass["2xx"] == 1 && resident.latency.p50 == 0.003)

        let json = try #require(JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        let pools = try #require(json["pools"] as? [[String: Any]])
        #expect(pools.first?["pool"] as? String == "app.swift" && pools.first?["busy"] as? Int == 2)
        #expect(report.html.contains("<td>app.swift</td><td>2</td><td>3</td>"))
        #expect(!report.html.contains("No resident pools."))

        let text = String(decoding: registry.prometheus.emitToBuffer(), as: UTF8.self)
        #expect(text.contains(#"cgi_server_pool_workers{pool="app.swift",state="busy"} 2"#))
        #expect(text.contains(#"cgi_server_pool_overloaded_total{pool="app.swift"} 4"#))
        #expect(text.contains(#"cgi_server_requests_total{responder="fastcgi-pass",status_class="5xx"} 1"#))
    }

    @Test func disabledMetricsKeepNothing() {
        #expect(!(ServerMetrics.disabled.factory is MetricsRegistry))
        ServerMetrics.disabled.recordResponse(.cgi, status: 200, nanoseconds: 1, bodyBytes: 1)
    }
}
