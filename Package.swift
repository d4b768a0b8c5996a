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
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Pure merge logic: no IO, no networking, no database.
        .target(name: "GridSyncCore"),
        // Versioned wire messages, specified in Protocol/.
        .target(name: "GridSyncProtocol", dependencies: ["GridSyncCore"]),
        // Benchmarks that report figures as ratios to a baseline measured in the same run.
        .executableTarget(
            name: "gridsync-bench",
            dependencies: [
                "GridSyncCore", "GridSyncProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "GridSyncCoreTests", dependencies: ["GridSyncCore"]),
        // Loads the golden vectors from Protocol/vectors by path, so the files stay in one place.
        .testTarget(name: "GridSyncProtocolTests", dependencies: ["GridSyncProtocol", "GridSyncCore"]),
    ],
    swiftLanguageModes: [.v6]
)
