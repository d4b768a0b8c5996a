import GridSyncProtocol

/// Folds pushes that arrive while a commit is in flight into the next single transaction.
///
/// Each commit waits for one fsync. During the end-of-round storm hundreds of terminals push
/// at once; committing them one by one would queue hundreds of fsyncs, while grouping makes
/// one fsync serve everything that arrived while the previous one was on disk.
actor GroupCommit {
    private let engine: SyncEngine
    private let maximumBatches: Int
    private var queue: [(batch: PushBatch, reply: CheckedContinuation<[ChangeResult], any Error>)] = []
    private var draining = false

    init(engine: SyncEngine, maximumBatches: Int = 64) {
        self.engine = engine
        self.maximumBatches = maximumBatches
    }

    /// Returns the batch's results once they are durable.
    func submit(_ batch: PushBatch) async throws -> [ChangeResult] {
        try await withCheckedThrowingContinuation { reply in
            queue.append((batch, reply))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            let jobs = Array(queue.prefix(maximumBatches))
            queue.removeFirst(jobs.count)
            do {
                let results = try await engine.push(jobs.map(\.batch))
                for (job, result) in zip(jobs, results) { job.reply.resume(returning: result) }
            } catch {
                // The shared transaction failed; commit each push alone so that one bad push
                // cannot fail the others that happened to share its fsync.
                for job in jobs {
                    do {
                        let result = try await engine.push([job.batch])
                        job.reply.resume(returning: result[0])
                    } catch {
                        job.reply.resume(throwing: error)
                    }
                }
            }
        }
        draining = false
    }
}
