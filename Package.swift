// swift-tools-version:6.1
import PackageDescription

// swift-cgi: a CGI library for scripts (`CGI`), the RFC 3875 host side (`CGIGateway`),
// an HTTP server that runs scripts (`CGIServer`, `cgi-server`) and a developer tool (`cgi`).
// See README.md and DESIGN.md for the picture.
let package = Package(
    name: "swift-cgi",
    products: [
        .library(name: "CGI", targets: ["CGI"]),
        .library(name: "CGIGateway", targets: ["CGIGateway"]),
        .library(name: "CGIServer", targets: ["CGIServer"]),
        .executable(name: "cgi", targets: ["cgi"]),
        .executable(name: "cgi-server", targets: ["cgi-server"]),
        .executable(name: "guestbook", targets: ["guestbook"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // SQLite for the example guestbook only; never a dependency of the CGI library.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // PostgreSQL for the example guestbook only (DATABASE_URL=postgres://…).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Script side: Swift standard library and Glibc only (start-up time is per request).
        // It re-exports CGICore, so a script's `import CGI` also brings HTML, SHA256 and the rest.
        .target(name: "CGI", dependencies: ["CGICore", "CThrowSites"]),
        // The Swift runtime's throw hooks, recording where errors are thrown for CGI's error reports
        // (C: the hooks are C function pointers, and walk frame pointers). Scripts link its object too.
        .target(name: "CThrowSites"),
        // What the script library, the gateway and the server share: HTTP syntax, percent-encoding,
        // header parameters, HTML escaping, status phrases, SHA-256. Standard library and Glibc only.
        .target(name: "CGICore", dependencies: ["CSHA256"]),
        // SHA-256 blocks on the x86 SHA extensions, for CGICore's SHA256 (C: Swift cannot lower these intrinsics).
        // Scripts compiled against CGI link its object too (CGILibraryLocation).
        .target(name: "CSHA256"),
        // openat2(2) with RESOLVE_BENEATH for the server's static files (C: no glibc wrapper, and syscall(2) is variadic).
        .target(name: "COpenBeneath"),
        // Host side of RFC 3875, no networking.
        .target(
            name: "CGIGateway",
            dependencies: [
                "CGICore",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // The admin listener that `cgi-server --admin` and `cgi fastcgi --admin` share: HTTP on a
        // NIO listener of its own, the /metrics and /status routes, the status page's frame.
        .target(
            name: "CGIAdmin",
            dependencies: [
                "CGICore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        // The HTTP server (metrics through swift-metrics, exposed by swift-prometheus on --admin).
        .target(
            name: "CGIServer",
            dependencies: [
                "CGIAdmin", "CGICore", "CGIGateway", "COpenBeneath",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "cgi",
            dependencies: [
                "CGI", "CGIAdmin", "CGICore", "CGIGateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // `cgi fastcgi --admin`: the admin listener's event loop and the /metrics text.
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "cgi-server",
            dependencies: [
                "CGICore", "CGIServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The example guestbook (Examples/guestbook): one binary that runs as a CGI script and as a
        // resident FastCGI application, on SQLite through GRDB or PostgreSQL through postgres-nio.
        .executableTarget(
            name: "guestbook",
            dependencies: [
                "CGI", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/guestbook/Sources",
            // The async handler and what it calls run where they are called (the main actor,
            // as the top-level handler), so a `Request` never crosses to another isolation.
            swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
        // The start-up benchmark's CGI scripts (Benchmarks/startup.sh): a hello, a JSON answer with
        // the library's JSON, and the same with FoundationEssentials (from the toolchain) for scale.
        .executableTarget(name: "cgi-bench-hello", dependencies: ["CGI"], path: "Benchmarks/hello"),
        .executableTarget(name: "cgi-bench-json", dependencies: ["CGI"], path: "Benchmarks/json"),
        .executableTarget(name: "cgi-bench-json-foundation", dependencies: ["CGI"], path: "Benchmarks/json-foundation"),
        .testTarget(
            name: "CGITests",
            dependencies: [
                "CGI", "TestSupport", "ErrorReportFixture", "AsyncErrorReportFixture", "StreamFixture", "UploadFixture",
                "ToolkitFixture",
            ]),
        // Scripts the tests run as real processes.
        .executableTarget(name: "ErrorReportFixture", dependencies: ["CGI"], path: "Tests/Fixtures/ErrorReportFixture"),
        .executableTarget(
            name: "AsyncErrorReportFixture", dependencies: ["CGI"], path: "Tests/Fixtures/AsyncErrorReportFixture"),
        .executableTarget(name: "StreamFixture", dependencies: ["CGI"], path: "Tests/Fixtures/StreamFixture"),
        .executableTarget(name: "UploadFixture", dependencies: ["CGI"], path: "Tests/Fixtures/UploadFixture"),
        .executableTarget(name: "ToolkitFixture", dependencies: ["CGI"], path: "Tests/Fixtures/ToolkitFixture"),
        .executableTarget(name: "FastCGIFixture", dependencies: ["CGI"], path: "Tests/Fixtures/FastCGIFixture"),
        .executableTarget(
            name: "FastCGIAsyncFixture", dependencies: ["CGI"], path: "Tests/Fixtures/FastCGIAsyncFixture"),
        // What the test targets share: a seeded random generator, a process runner that owns its processes,
        // temporary folders removed with whatever still runs in them.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // The FastCGI record codec, and a protocol client driving real FastCGIFixture and
        // FastCGIAsyncFixture processes.
        .testTarget(
            name: "FastCGITests", dependencies: ["CGI", "TestSupport", "FastCGIFixture", "FastCGIAsyncFixture"]),
        .testTarget(name: "CGICoreTests", dependencies: ["CGICore", "TestSupport"]),
        .testTarget(name: "CGIGatewayTests", dependencies: ["CGICore", "CGIGateway", "TestSupport"]),
        .testTarget(
            name: "CGIServerTests",
            dependencies: [
                "CGIServer", "cgi-server", "TestSupport", "ErrorReportFixture",
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "cgiTests", dependencies: ["cgi", "ErrorReportFixture", "FastCGIFixture", "TestSupport"]),
    ]
)
