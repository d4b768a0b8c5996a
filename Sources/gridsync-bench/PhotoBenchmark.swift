import ArgumentParser
import FieldClient
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol
import GridSyncServer
import GridSyncSimulation
import GridSyncSQLite
import Hummingbird

/// One large photo over a poor link: throttled both ways, with a share of its connections cut
/// at a random byte. How long the upload takes against the ideal (its bytes over the link's
/// rate), and how many bytes went twice.
struct PhotoBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "photo",
        abstract: "Upload a 20 MB photo through a link throttled to 50 KB/s that cuts 30% of its connections; beside the ideal time.",
        discussion: "Example:\n  swift run -c release gridsync-bench photo --megabytes 20 --bytes-per-second 50000 --cut-share 0.3")

    @Option(help: "The photo's size in MiB.") var megabytes = 20
    @Option(help: "The link's rate in bytes per second, each way.") var bytesPerSecond = 50_000
    @Option(help: "Share of connections the link cuts at a random byte.") var cutShare = 0.3
    @Option(help: "Seed for the photo and the cuts.") var seed: UInt64 = 1

    func run() async throws {
        let folder = try makeRunFolder("gridsync-photo")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: folder.appendingPathComponent("server.sqlite").path)
        try await BenchServer.serving(store) { server in
            let grid = BenchServer.grid, base = server.base
            let link = try await LinkProxy.start(to: base.port!, conditions: .init(
                bytesPerSecond: bytesPerSecond, cutProbability: cutShare, cutWithinBytes: SyncLimits().blobChunkBytes + 1_024, seed: seed))
            let counter = ChunkCounter(URLSessionTransport(baseURL: URL(string: "http://127.0.0.1:\(link.port)")!))
            // Records go straight to the server; the photo crosses the poor link.
            let handset = try await server.handset(
                path: folder.appendingPathComponent("handset.sqlite").path,
                transport: PhotoRoute(records: URLSessionTransport(baseURL: base), photos: counter),
                configuration: .init(appVersion: "bench", retry: RetryPolicy(maxAttempts: 1_000, initialDelay: .milliseconds(100), maxDelay: .seconds(1))))

            let size = megabytes << 20
            var random = SplitMix64(seed: seed)
            var bytes = Data(count: size)
            bytes.withUnsafeMutableBytes { buffer in
                for offset in stride(from: 0, to: size, by: 8) { buffer.storeBytes(of: random.next(), toByteOffset: offset, as: UInt64.self) }
            }
            let photo = try await handset.takePhoto(bytes)
            var patrol = Patrol(id: RecordID("pa-bench")!, grid: grid, worker: "bench", startedAt: Date())
            patrol.photos = [photo]
            try await handset.create(patrol)
            try await handset.sync()

            let clock = ContinuousClock()
            let started = clock.now
            var calls = 0
            while try await handset.status().photosPending > 0 {
                calls += 1
                // Told to wait, the handset sends nothing until the pause is over: wait it out
                // rather than call again at once.
                if let pause = (try? await handset.uploadPhotos())?.deferredFor { try await Task.sleep(for: pause) }
            }
            let seconds = (clock.now - started).seconds
            let ideal = Double(size) / Double(bytesPerSecond)
            let stored = try await store.defaultBlobStore().blob(BlobDigest(photo.sha256!)!)
            guard stored?.size == size else { throw ValidationError("the photo is not stored whole") }
            let sent = counter.sent
            let tally = link.tally
            print("a \(megabytes) MiB photo over a link of \(bytesPerSecond) B/s each way, \(Int(cutShare * 100))% of connections cut at a random byte:")
            print(String(format: "upload:              %8.1f s  (%d connections, %d cut; %d upload calls)", seconds, tally.connections, tally.cuts, calls))
            print(String(format: "ideal (size / rate): %8.1f s", ideal))
            print(String(format: "ratio upload / ideal: %7.2f", seconds / ideal))
            print(String(format: "chunk bytes sent:    %8d  (%d re-sent: %.1f%% of the photo; %.2f chunks per cut)", sent, sent - size,
                         Double(sent - size) * 100 / Double(size), tally.cuts > 0 ? Double(sent - size) / Double(SyncLimits().blobChunkBytes) / Double(tally.cuts) : 0))
            print(String(format: "bytes up the link:   %8d  (%.1f%% over the photo: headers, and the part of each cut chunk that got through)",
                         tally.bytesUpstream, Double(tally.bytesUpstream - size) * 100 / Double(size)))
            await link.stop()
        }
    }
}
