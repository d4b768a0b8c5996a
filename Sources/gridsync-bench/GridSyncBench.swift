import ArgumentParser

/// Benchmarks that report each figure beside a baseline measured in the same run, because
/// absolute times on a shared two-core machine say more about the neighbours than the code.
@main
struct GridSyncBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridsync-bench",
        abstract: "Measure GridSync against baselines from the same run.",
        discussion: "Build with -c release: debug figures mean nothing.\n\nExample:\n  swift run -c release gridsync-bench merge",
        subcommands: [MergeBenchmark.self, ServerBenchmark.self, ClientBenchmark.self, FirstPullBenchmark.self, StormBenchmark.self, IdleConnectionsBenchmark.self, PhotoBenchmark.self],
        defaultSubcommand: MergeBenchmark.self)
}
