// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "GridSync",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "GridSyncCore", targets: ["GridSyncCore"]),
        .library(name: "GridSyncProtocol", targets: ["GridSyncProtocol"]),
        .library(name: "GridSyncServer", targets: ["GridSyncServer"]),
        .library(name: "FieldClient", targets: ["FieldClient"]),
        .executable(name: "gridsync-server", targets: ["gridsync-server"]),
        .executable(name: "gridsync", targets: ["gridsync"]),
        .executable(name: "gridsync-sim", targets: ["gridsync-sim"]),
        .executable(name: "gridsync-bench", targets: ["gridsync-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
    ],
    targets: [
        // Pure merge logic: no IO, no networking, no database.
        .target(name: "GridSyncCore"),
        // Versioned wire messages, specified in Protocol/.
        .target(name: "GridSyncProtocol", dependencies: ["GridSyncCore"]),
        // What a handset runs, minus the UI: local replica, outbox, sync engine.
        .target(
            name: "FieldClient",
            dependencies: [
                "GridSyncCore", "GridSyncProtocol",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        // The sync server as a library: HTTP routes, auth, scoping, and the store behind them.
        .target(
            name: "GridSyncServer",
            dependencies: [
                "GridSyncCore", "GridSyncProtocol",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // The embedded default store: one SQLite file, through GRDB. The only SQLite SQL.
        .target(
            name: "GridSyncSQLite",
            dependencies: [
                "GridSyncCore", "GridSyncProtocol", "GridSyncServer",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        // The city-scale store: PostgreSQL, shared by several server instances. The only PostgreSQL SQL.
        .target(
            name: "GridSyncPostgres",
            dependencies: [
                "GridSyncCore", "GridSyncProtocol", "GridSyncServer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .executableTarget(
            name: "gridsync-server",
            dependencies: [
                "GridSyncProtocol", "GridSyncServer", "GridSyncSQLite", "GridSyncPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]),
        // The ops CLI for command-centre staff.
        .executableTarget(
            name: "gridsync",
            dependencies: [
                "GridSyncCore", "GridSyncProtocol", "FieldClient", "GridSyncAdmin", "GridSyncConsole",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]),
        // The admin API's client: the one place that builds an admin request and maps an admin
        // error, for the CLI, the simulator and the tests.
        .target(
            name: "GridSyncAdmin",
            dependencies: ["GridSyncCore", "GridSyncProtocol"]),
        // What the ops tools show on a terminal while they work: a live status line or one line
        // per phase, on stderr.
        .target(name: "GridSyncConsole"),
        // The simulator: a district's terminals as real field clients against a real server.
        .target(
            name: "GridSyncSimulation",
            dependencies: [
                "GridSyncCore", "GridSyncProtocol", "GridSyncServer", "GridSyncSQLite", "GridSyncPostgres", "FieldClient", "GridSyncAdmin",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Simulator/Sources/GridSyncSimulation"),
        .executableTarget(
            name: "gridsync-sim",
            dependencies: [
                "GridSyncSimulation", "GridSyncConsole", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Simulator/Sources/gridsync-sim"),
        // Benchmarks that report figures as ratios to a baseline measured in the same run.
        .executableTarget(
            name: "gridsync-bench",
            dependencies: [
                "GridSyncCore", "GridSyncProtocol", "GridSyncServer", "GridSyncSQLite", "GridSyncPostgres", "FieldClient", "GridSyncSimulation", "GridSyncAdmin",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        // The one server fixture the test suites share (a fresh store, the admin token, the
        // admin client over in-process or loopback HTTP). Built only for tests.
        .target(
            name: "GridSyncTestSupport",
            dependencies: [
                "GridSyncAdmin", "GridSyncCore", "GridSyncProtocol", "GridSyncServer", "GridSyncSQLite", "GridSyncPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/Support"),
        .testTarget(name: "GridSyncCoreTests", dependencies: ["GridSyncCore"]),
        // Loads the golden vectors from Protocol/vectors by path, so the files stay in one place.
        .testTarget(name: "GridSyncProtocolTests", dependencies: [
            "GridSyncProtocol", "GridSyncCore", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(
            name: "GridSyncServerTests",
            dependencies: [
                "GridSyncServer", "GridSyncSQLite", "GridSyncPostgres", "GridSyncProtocol", "GridSyncCore", "GridSyncAdmin", "GridSyncTestSupport",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // Runs the built `gridsync` binary as a user would, against a live server.
        .testTarget(
            name: "GridSyncCLITests",
            dependencies: [
                "GridSyncServer", "GridSyncSQLite", "GridSyncProtocol", "GridSyncCore", "GridSyncSimulation", "GridSyncAdmin", "GridSyncTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Snapshots"]),
        .testTarget(name: "SimulatorTests", dependencies: ["GridSyncSimulation"]),
        .testTarget(
            name: "FieldClientTests",
            dependencies: [
                "FieldClient", "GridSyncServer", "GridSyncSQLite", "GridSyncProtocol", "GridSyncCore", "GridSyncSimulation", "GridSyncAdmin", "GridSyncTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
