import Foundation
import GridSyncProtocol
import Histogram
import NIOCore

/// The storm itself: terminals arrive evenly over `spread` seconds and take the next free
/// connection; each pushes its visits, then pulls from its pre-storm cursor to the end.
/// Latency runs from a terminal's arrival to its last page, so waiting for a connection counts.
struct StormRun {
    let fleet: StormFleet
    let port: Int
    let connections: Int
    let spread: Double
    let codec: StormCodec

    struct Figures {
        var seconds = 0.0
        var latencies: [Double] = []
        var requests = 0
        var recordsPulled = 0
        var bytesPulled = 0
        var wireBytesPulled = 0
        var bytesPushed = 0
        var wireBytesPushed = 0
        var retried = 0
        var failed = 0
        var rejected = 0

        mutating func add(_ other: Figures) {
            latencies += other.latencies
            requests += other.requests
            recordsPulled += other.recordsPulled
            bytesPulled += other.bytesPulled
            wireBytesPulled += other.wireBytesPulled
            bytesPushed += other.bytesPushed
            wireBytesPushed += other.wireBytesPushed
            retried += other.retried
            failed += other.failed
            rejected += other.rejected
        }

        func latency(_ percentile: Double) -> Double {
            var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
            for latency in latencies { _ = histogram.record(UInt64(latency * 1e6)) }
            return Double(percentile >= 100 ? histogram.max : histogram.valueAtPercentile(percentile)) / 1e6
        }
    }

    /// Hands out terminals in arrival order.
    actor Arrivals {
        private var next = 0
        let count: Int
        init(count: Int) { self.count = count }
        func take() -> Int? {
            guard next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func run() async throws -> Figures {
        let arrivals = Arrivals(count: fleet.terminals.count)
        let clock = ContinuousClock()
        let started = clock.now
        let interval = spread / Double(max(fleet.terminals.count, 1))
        var figures = try await withThrowingTaskGroup(of: Figures.self) { group in
            for _ in 0..<connections {
                group.addTask { [fleet, port, codec] in
                    var figures = Figures()
                    try await ThinConnection.with(port: port) { exchange in
                        while let index = await arrivals.take() {
                            let arrival = started + .microseconds(Int64(Double(index) * interval * 1e6))
                            try await clock.sleep(until: arrival)
                            do {
                                try await Self.sync(fleet.terminals[index], codec: codec, on: &exchange, figures: &figures)
                            } catch {
                                figures.failed += 1
                                throw error
                            }
                            figures.latencies.append((clock.now - arrival).seconds)
                        }
                    }
                    return figures
                }
            }
            return try await group.reduce(into: Figures()) { $0.add($1) }
        }
        figures.seconds = (clock.now - started).seconds
        return figures
    }

    /// One terminal's sync: its push, retried after a 503, then its pull to the end.
    static func sync(_ terminal: StormWorkload.Terminal, codec: StormCodec, on exchange: inout ThinConnection.Exchange,
                     figures: inout Figures) async throws {
        while true {
            let answer = try await codec.push(terminal.push, token: terminal.token, on: &exchange)
            figures.requests += 1
            figures.bytesPushed += terminal.push.readableBytes
            if answer.status == 503 {
                figures.retried += 1
                try await Task.sleep(for: .seconds(answer.headers.first(name: "Retry-After").flatMap(Double.init) ?? 1))
                continue
            }
            figures.wireBytesPushed += answer.sentBytes
            guard answer.status == 200 else { throw StormFailure("push: HTTP \(answer.status)") }
            let response = try JSONDecoder().decode(PushResponse.self, from: Data(answer.body.readableBytesView))
            figures.rejected += response.results.filter { $0.outcome != .applied }.count
            break
        }
        var cursor = terminal.cursor
        while true {
            let page = try await codec.pull(cursor: cursor, token: terminal.token, on: &exchange)
            figures.requests += 1
            figures.wireBytesPulled += page.wireBytes
            figures.bytesPulled += page.bytes
            if let retryAfter = page.retryAfter {
                figures.retried += 1
                try await Task.sleep(for: .seconds(retryAfter))
                continue
            }
            figures.recordsPulled += page.page.count
            cursor = page.page.cursor
            if !page.page.hasMore { return }
        }
    }

    /// `GET /health` through the same kind of connections: what a request costs with no work in it.
    static func emptyRoute(port: Int, connections: Int, requests: Int) async throws -> Double {
        let clock = ContinuousClock()
        let started = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<connections {
                group.addTask {
                    try await ThinConnection.with(port: port) { exchange in
                        for _ in stride(from: lane, to: requests, by: connections) {
                            _ = try await exchange.send(.GET, "/health", headers: [])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(requests) / (clock.now - started).seconds
    }
}
