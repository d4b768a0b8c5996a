// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "GridSync",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "GridSyncCore", targets: ["GridSyncCore"]),
        .library(name: "GridSyncProtocol", targets: ["GridSyncProtocol"]),
        .executable(name: "gridsync-bench", targets: ["gridsync-bench"]),
    ],
    targets: [
        // Pure merge logic: no IO, no networking, no database.
        .target(name: "GridSyncCore"),
        // Versioned wire messages, specified in Protocol/.
        .target(name: "GridSyncProtocol", dependencies: ["GridSyncCore"]),
        // Benchmarks that report figures as ratios to a baseline measured in the same run.
        .executableTarget(name: "gridsync-bench", dependencies: ["GridSyncCore", "GridSyncProtocol"]),
        .testTarget(name: "GridSyncCoreTests", dependencies: ["GridSyncCore"]),
        // Loads the golden vectors from Protocol/vectors by path, so the files stay in one place.
        .testTarget(name: "GridSyncProtocolTests", dependencies: ["GridSyncProtocol", "GridSyncCore"]),
    ],
    swiftLanguageModes: [.v6]
)
