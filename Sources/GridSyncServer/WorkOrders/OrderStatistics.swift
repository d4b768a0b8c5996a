import Foundation
import GridSyncCore
import GridSyncProtocol

/// The closed loop in figures, from the orders as stored: what `gridsync orders stats` shows.
/// Pure, so a test can check each figure against a hand count.
enum OrderStatistics {
    static func compute(_ orders: [OrderView], now: Date) -> OrderStats {
        var byState: [String: Int] = [:], overdue: [String: Int] = [:], late: [String: Int] = [:]
        var byCategory: [String: Int] = [:], byCommunity: [String: Int] = [:], byReporter: [String: Int] = [:]
        var resolvedBy: [String: Int] = [:]
        var toStep: [CaseStep: [Double]] = [:]
        var closed = 0, rejected = 0, open = 0
        for order in orders {
            let summary = order.summary
            let states = summary.states
            byState[states.count == 1 ? states[0].rawValue : "contested", default: 0] += 1
            if summary.isOpen { open += 1 }
            if states == [.closed] {
                closed += 1
                let level = summary.assignee.map { $0.department != nil ? "department" : $0.level.rawValue } ?? "grid"
                resolvedBy[level, default: 0] += 1
            }
            if states == [.rejected] { rejected += 1 }
            let urgency = summary.urgency?.rawValue ?? "unknown"
            if !summary.overdue.isEmpty { overdue[urgency, default: 0] += 1 }
            if let timing = order.stored.timing {
                if !timing.late.isEmpty { late[urgency, default: 0] += 1 }
                // Each step timed where a move took it, from the report, on the server's clock.
                for step in CaseStep.allCases {
                    let taken = order.timeline.filter { step.takenBy.contains($0.to) }.compactMap(\.receivedAt).min()
                    if let taken { toStep[step, default: []].append(taken.timeIntervalSince(timing.reportedAt)) }
                }
            }
            byCategory[summary.category?.rawValue ?? "unknown", default: 0] += 1
            if let grid = summary.grids.first { byCommunity[community(of: grid), default: 0] += 1 }
            byReporter[summary.reporter ?? "unknown", default: 0] += 1
        }
        let valid = orders.count - rejected
        return OrderStats(
            asOf: now, total: orders.count, open: open, byState: byState,
            closureRate: valid > 0 ? Double(closed) / Double(valid) : nil,
            resolvedAt: closed > 0 ? resolvedBy.mapValues { Double($0) / Double(closed) } : [:],
            medianSecondsToStep: Dictionary(uniqueKeysWithValues: toStep.map { ($0.key.rawValue, median($0.value)) }),
            overdueByUrgency: overdue, lateByUrgency: late, byCategory: byCategory, byCommunity: byCommunity, byReporter: byReporter)
    }

    /// The district/street/community part of a grid path, or the whole path when shorter.
    static func community(of grid: GridPath) -> String {
        grid.description.split(separator: "/").prefix(3).joined(separator: "/")
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        // To the millisecond, as times are kept: no binary-fraction noise in the figures.
        return (median * 1_000).rounded() / 1_000
    }
}
