import Foundation
import GridSyncCore
import GridSyncProtocol

/// How long each step of a work order may take, per urgency, counted from the server's receipt
/// of the report. Loaded from a YAML file (`gridsync-server --deadlines`); the defaults follow
/// the seeds: a red case on site within 1 hour and answered within 24, yellow and green longer.
///
/// A case's deadlines are set when the server receives its report, under the policy then in
/// force, and set again only if its colour changes: a policy change applies to new cases
/// (and recoloured ones), never rewrites what a case was promised.
public struct DeadlinePolicy: Sendable, Hashable {
    /// Seconds allowed for each step, by urgency.
    public var windows: [Urgency: [CaseStep: TimeInterval]]
    /// The share of a step's time after which it is nearly due.
    public var nearlyDue: Double

    public init(windows: [Urgency: [CaseStep: TimeInterval]], nearlyDue: Double) {
        self.windows = windows
        self.nearlyDue = nearlyDue
    }

    public static let standard = DeadlinePolicy(windows: [
        .red: [.accept: 15 * 60, .dispatch: 30 * 60, .onSite: 3_600, .answer: 24 * 3_600],
        .yellow: [.accept: 3_600, .dispatch: 2 * 3_600, .onSite: 4 * 3_600, .answer: 72 * 3_600],
        .green: [.accept: 4 * 3_600, .dispatch: 8 * 3_600, .onSite: 24 * 3_600, .answer: 7 * 24 * 3_600],
    ], nearlyDue: 0.75)

    /// The timing of a work order whose state is now `state`, the server having received it at
    /// `now`: moves it has not seen before are stamped `now`, earlier stamps are kept, and the
    /// deadlines follow from the report's stamp. `nil` for a state without a report.
    public func timing(of state: RecordState, workflow: Workflow, previous: CaseTiming?, at now: Date) -> CaseTiming? {
        let now = FieldValueCoding.wholeMilliseconds(now)
        var received = previous?.received ?? [:]
        var reports: [Date] = []
        var reached: [CaseStep: Date] = [:]
        for (path, values) in state.entries where path.property == workflow.actionsProperty {
            guard let id = path.element.map(String.init) else { continue }
            for action in values.values {
                let at = received[id] ?? now
                received[id] = at
                guard let to = action["to"]?.stringValue.flatMap(WorkOrderState.init) else { continue }
                if action["from"]?.stringValue == nil { reports.append(at) }
                for step in CaseStep.allCases where step.reachedBy.contains(to) {
                    reached[step] = min(reached[step] ?? at, at)
                }
            }
        }
        guard let reportedAt = reports.min() else { return nil }
        let urgencies = state.entries[FieldPath("urgency")!]?.values.compactMap { $0.stringValue.flatMap(Urgency.init) } ?? []
        // No readable urgency cannot happen to a valid order; the safe reading is the strictest.
        let urgency = urgencies.min() ?? .red
        let steps = CaseStep.allCases.map { step in
            // A case keeps the deadlines it was given; they are set again only when its colour
            // changes (from the report's receipt, under the policy in force then).
            if let previous, previous.urgency == urgency, previous.reportedAt == reportedAt, var kept = previous[step] {
                kept.metAt = reached[step]
                return kept
            }
            let window = windows[urgency]?[step] ?? Self.standard.windows[urgency]![step]!
            return StepDeadline(step: step, dueBy: reportedAt.addingTimeInterval(window),
                                nearlyDueAt: FieldValueCoding.wholeMilliseconds(reportedAt.addingTimeInterval(window * nearlyDue)), metAt: reached[step])
        }
        return CaseTiming(reportedAt: reportedAt, urgency: urgency, received: received, steps: steps)
    }
}
