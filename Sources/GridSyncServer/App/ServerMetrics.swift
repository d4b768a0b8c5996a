import Prometheus

/// The server's Prometheus metrics, in a registry of its own so that several servers in one
/// test process never share counters.
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let pushes: Counter
    let pushLatency: DurationHistogram
    let pullLatency: DurationHistogram
    let conflictsCreated: Counter
    /// Stored rows a pull skipped because they could not be read as a record.
    let unreadableRecords: Counter
    /// Pulls served afresh because their cursor came from a history the store no longer has.
    let rebases: Counter
    private let outcomes: [ChangeOutcomeLabel: Counter]
    /// Bytes of finished blobs held, as of the last garbage collection plus what finished since.
    let blobBytesStored: Gauge
    /// Uploads started again with some chunks already held: a connection broke mid-photo.
    let uploadsResumed: Counter
    /// Chunks received that the server already held: bytes a handset sent twice.
    let chunksResent: Counter
    /// Uploads answered "already stored" at once: a photo stored once for several records.
    let blobsDeduplicated: Counter
    /// Households erased on request.
    let erasures: Counter
    /// The outbox depth each push reports: how the fleet's backlog is spread.
    let outboxDepth: ValueHistogram
    /// Pushes and pulls a second, a one-second decaying average (``RequestRate``): the storm.
    let syncRequestRate: Gauge

    enum ChangeOutcomeLabel: String, CaseIterable { case applied, merged, stale, conflict, rejected }

    static func name(_ metric: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "gridsync", metricName: metric, unitName: unit, helpText: help)
    }

    public init() {
        let buckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                   .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5)]
        pushes = registry.makeCounter(descriptor: Self.name("pushes", unit: "total", "Push requests committed"))
        pushLatency = registry.makeDurationHistogram(
            descriptor: Self.name("push_duration", unit: "seconds", "Push latency, receipt to commit"), buckets: buckets)
        pullLatency = registry.makeDurationHistogram(
            descriptor: Self.name("pull_duration", unit: "seconds", "Pull page latency"), buckets: buckets)
        conflictsCreated = registry.makeCounter(descriptor: Self.name("conflicts", unit: "total", "Changes that left their record in conflict"))
        unreadableRecords = registry.makeCounter(
            descriptor: Self.name("pull_skipped_records", unit: "total", "Stored records a pull skipped because they could not be read"))
        rebases = registry.makeCounter(
            descriptor: Self.name("pull_rebases", unit: "total", "Pulls started afresh because the store was restored from a backup"))
        blobBytesStored = registry.makeGauge(descriptor: Self.name("blob_stored", unit: "bytes", "Bytes of finished photo blobs held"))
        uploadsResumed = registry.makeCounter(
            descriptor: Self.name("blob_uploads_resumed", unit: "total", "Blob uploads started again with some chunks already held"))
        chunksResent = registry.makeCounter(
            descriptor: Self.name("blob_chunks_resent", unit: "total", "Blob chunks received that were already held"))
        blobsDeduplicated = registry.makeCounter(
            descriptor: Self.name("blob_uploads_deduplicated", unit: "total", "Blob uploads answered at once because the blob was stored"))
        erasures = registry.makeCounter(descriptor: Self.name("erasures", unit: "total", "Households erased on request (PIPL)"))
        outboxDepth = registry.makeValueHistogram(
            descriptor: Self.name("device_outbox_depth", unit: "changes", "Outbox depth terminals report at each push"),
            buckets: [0, 1, 5, 10, 25, 50, 100, 250, 500, 1_000, 5_000])
        syncRequestRate = registry.makeGauge(
            descriptor: Self.name("sync_request_rate", unit: "per_second", "Pushes and pulls a second, one-second decaying average"))
        var outcomes: [ChangeOutcomeLabel: Counter] = [:]
        for label in ChangeOutcomeLabel.allCases {
            outcomes[label] = registry.makeCounter(
                descriptor: Self.name("changes", unit: "total", "Pushed changes by outcome"), labels: [("outcome", label.rawValue)])
        }
        self.outcomes = outcomes
    }

    func countErasure() { erasures.increment() }

    func countChange(_ outcome: String) {
        guard let label = ChangeOutcomeLabel(rawValue: outcome) else { return }
        outcomes[label]?.increment()
        if label == .conflict { conflictsCreated.increment() }
    }

    /// Counts bytes refused because they did not hash to what was claimed (`chunk` or `blob`).
    func countDigestMismatch(_ scope: String) {
        registry.makeCounter(
            descriptor: Self.name("blob_digest_mismatches", unit: "total", "Blob chunks or whole blobs refused for not matching their digest"),
            labels: [("of", scope)]).increment()
    }

    /// Counts one HTTP request by route and status.
    func countRequest(route: String, status: Int) {
        registry.makeCounter(
            descriptor: Self.name("http_requests", unit: "total", "HTTP requests by route and status"),
            labels: [("route", route), ("status", String(status))]).increment()
    }

    /// Counts one request refused by admission (`push` or `pull`), so operators see a storm's
    /// waves and can size slots and instances.
    func countRefusal(_ gate: String) {
        registry.makeCounter(
            descriptor: Self.name("admission_refused", unit: "total", "Sync requests refused with 503 because the queue was over its target"),
            labels: [("gate", gate)]).increment()
    }
}
