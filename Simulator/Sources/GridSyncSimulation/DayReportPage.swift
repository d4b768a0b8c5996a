import Foundation
import Mustache

/// `gridsync-sim --report-html`: the day as one self-contained HTML file (no network, inline
/// SVG) that anyone can open. The markup is a Mustache template (``DayReportTemplate``); this
/// file only turns the report's figures into what the template shows: rows, bars and lines,
/// already scaled to the charts' coordinates. Every figure comes from the same
/// ``SimulationReport`` the JSON holds, formatted the same way as the text summary.
public enum DayReportPage {
    /// `reproduce` is the command that runs the same day again, as the page shows it.
    public static func render(_ report: SimulationReport, scenario: Scenario, reproduce: String? = nil) throws -> String {
        let template = try MustacheTemplate(string: DayReportTemplate.html)
        return template.render(Page(report, scenario: scenario, reproduce: reproduce))
    }

    struct Page {
        let title: String
        let verdict: String
        let passed: Bool
        let scenario: String
        let seed: String
        let reproduce: String
        let figures: [Row]
        let invariants: [Check]
        let timeline: LineChart
        let latency: BarChart
        let terminals: BarChart
        let streets: [StreetBar]
        let streetsHeight: Int
        let noStreets: Bool
        let errors: LineChart
        let noErrors: Bool

        init(_ report: SimulationReport, scenario: Scenario, reproduce: String?) {
            title = "GridSync simulated day: \(scenario.name)"
            passed = report.passed
            verdict = report.passed ? "PASS: nothing lost, duplicated or silently overwritten; every replica converged" : "FAIL: an invariant does not hold"
            self.scenario = "\(scenario.name): \(report.terminals) terminals, \(scenario.rounds) rounds, store \(report.store) × \(report.instances)"
            seed = String(report.seed)
            self.reproduce = reproduce ?? "swift run -c release gridsync-sim --seed \(report.seed)" + (scenario.faults.any ? " --faults" : "")
            figures = [
                Row(name: "terminals", value: String(report.terminals)),
                Row(name: "changes created / on server", value: "\(report.changesCreated) / \(report.changesOnServer)"),
                Row(name: "records on server", value: String(report.recordsOnServer)),
                Row(name: "largest storm", value: String(format: "%.2f s, %.0f changes/s", report.stormSeconds, report.stormChangesPerSecond)),
                Row(name: "sync latency p50 / p95 / p99",
                    value: String(format: "%.0f / %.0f / %.0f ms", report.syncLatencyMS.p50, report.syncLatencyMS.p95, report.syncLatencyMS.p99)),
                Row(name: "bytes sent / received", value: "\(report.bytesSent) / \(report.bytesReceived)"),
                Row(name: "retries", value: String(report.retries)),
                Row(name: "re-installs / server restarts", value: "\(report.reinstalls) / \(report.serverRestarts)"),
                Row(name: "state digest", value: report.stateDigest),
            ]
            var checks = [
                Check("nothing lost", "\(report.lost) lost", report.lost == 0),
                Check("nothing applied twice", "\(report.duplicated) duplicated", report.duplicated == 0),
                Check("no silent overwrite", "\(report.silentOverwrites) silent overwrites", report.silentOverwrites == 0),
                Check("every concurrent edit kept as a conflict", "\(report.conflictsExpected) expected / \(report.conflictsDetected) detected",
                      report.conflictsExpected == report.conflictsDetected),
                Check("no conflict without a concurrent edit", "\(report.unexpectedConflicts) unexpected", report.unexpectedConflicts == 0),
                Check("nobody in conflict with himself", "\(report.selfConflicts)", report.selfConflicts == 0),
                Check("every replica converged", report.converged ? "yes" : "no", report.converged),
                Check("every refusal explained", "\(report.requestsFailedPermanently) parked", report.rejectionsExplained),
            ]
            if let unlucky = report.unlucky { checks.append(Check("the unlucky grids' stories", "\(unlucky.cases) cases", unlucky.passed)) }
            if let orders = report.workOrders { checks.append(Check("work orders through the loop", "\(orders.planned) planned / \(orders.onServer) stored", orders.passed)) }
            if let photos = report.photos { checks.append(Check("photos stored whole, once", "\(photos.named) named, \(photos.missing) missing", photos.passed)) }
            if let lifecycle = report.lifecycle {
                checks.append(Check("deletions, purge and erasure", "\(lifecycle.resurrected) resurrected, \(lifecycle.erasurePending) erasures pending",
                                    lifecycle.passed))
            }
            invariants = checks

            let seconds = report.timeline?.seconds ?? []
            timeline = LineChart(
                series: [("requests/s", "requests", seconds.map { Double($0.requests) }), ("changes/s", "changes", seconds.map { Double($0.changes) })],
                marks: (report.timeline?.phases ?? []).filter { $0.name.contains("storm") }.map { ($0.startSecond, $0.name) },
                xUnit: "s")
            let kinds = Set(seconds.flatMap { $0.errors.keys }).sorted()
            noErrors = kinds.isEmpty
            errors = LineChart(series: kinds.enumerated().map { index, kind in
                (kind, "error\(index % 4)", seconds.map { Double($0.errors[kind] ?? 0) })
            }, marks: [], xUnit: "s")
            latency = BarChart(report.latencyHistogramMS ?? [], unit: "ms",
                               marks: [("p50", report.syncLatencyMS.p50), ("p95", report.syncLatencyMS.p95), ("p99", report.syncLatencyMS.p99)])
            terminals = BarChart(report.terminalsBySyncSeconds ?? [], unit: "s", marks: [])
            let byStreet = (report.conflictsByStreet ?? [:]).sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            let most = Double(byStreet.first?.value ?? 1)
            streets = byStreet.enumerated().map { index, entry in
                StreetBar(street: entry.key, count: entry.value, y: index * 22, width: String(format: "%.1f", 420 * Double(entry.value) / most))
            }
            noStreets = byStreet.isEmpty
            streetsHeight = byStreet.count * 22 + 8
        }
    }

    struct Row { let name: String; let value: String }

    struct Check {
        let name: String
        let value: String
        let ok: Bool
        let css: String
        init(_ name: String, _ value: String, _ ok: Bool) {
            self.name = name
            self.value = value
            self.ok = ok
            css = ok ? "ok" : "bad"
        }
    }

    struct StreetBar { let street: String; let count: Int; let y: Int; let width: String }

    /// Lines over the day's seconds, in a 720 × 220 plot.
    struct LineChart {
        struct Series { let name: String; let css: String; let points: String; let peak: String }
        struct Mark { let x: String; let label: String }
        struct Tick { let x: String; let label: String }
        let series: [Series]
        let marks: [Mark]
        let ticks: [Tick]
        let top: String

        init(series: [(String, String, [Double])], marks: [(Double, String)], xUnit: String) {
            let length = max(series.map(\.2.count).max() ?? 0, 2)
            let highest = max(series.flatMap(\.2).max() ?? 1, 1)
            func x(_ second: Double) -> String { String(format: "%.1f", 720 * second / Double(length - 1)) }
            func y(_ value: Double) -> String { String(format: "%.1f", 220 - 220 * value / highest) }
            self.series = series.map { name, css, values in
                Series(name: name, css: css, points: values.enumerated().map { "\(x(Double($0.offset))),\(y($0.element))" }.joined(separator: " "),
                       peak: String(format: "%.0f", values.max() ?? 0))
            }
            self.marks = marks.map { Mark(x: x($0.0), label: $0.1) }
            let step = max(1, (length / 8 + 4) / 5 * 5)
            ticks = stride(from: 0, to: length, by: step).map { Tick(x: x(Double($0)), label: "\($0) \(xUnit)") }
            top = String(format: "%.0f", highest)
        }
    }

    /// Bars of a histogram, in a 720 × 200 plot, with optional marks (percentiles).
    struct BarChart {
        struct Bar { let x: String; let y: String; let width: String; let height: String; let label: String }
        struct Mark { let x: String; let label: String; let value: String }
        let bars: [Bar]
        let marks: [Mark]
        let left: String
        let right: String
        let top: String

        init(_ buckets: [SimulationReport.Bucket], unit: String, marks: [(String, Double)]) {
            let highest = Double(max(buckets.map(\.count).max() ?? 1, 1))
            let end = max(buckets.last?.to ?? 1, 0.001)
            let width = 720 / Double(max(buckets.count, 1))
            bars = buckets.enumerated().map { index, bucket in
                let height = 200 * Double(bucket.count) / highest
                return Bar(x: String(format: "%.1f", Double(index) * width), y: String(format: "%.1f", 200 - height),
                           width: String(format: "%.1f", max(width - 2, 1)), height: String(format: "%.1f", height),
                           label: String(format: "%.0f–%.0f %@: %d", bucket.from, bucket.to, unit, bucket.count))
            }
            self.marks = marks.map { name, value in
                Mark(x: String(format: "%.1f", 720 * min(value / end, 1)), label: name, value: String(format: "%.0f %@", value, unit))
            }
            left = "0 \(unit)"
            right = String(format: end < 10 ? "%.1f %@" : "%.0f %@", end, unit)
            top = String(format: "%.0f", highest)
        }
    }
}
