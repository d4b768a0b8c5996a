import Foundation
import GridSyncCore
import GridSyncProtocol

/// A stored work order as the command centre reads it. Built leniently, field by field: one
/// contested or unreadable field must not hide the order from the list ops work from.
struct OrderView {
    let stored: StoredRecord
    let now: Date

    private func agreed<T: Decodable>(_ property: String, as type: T.Type) -> T? {
        guard let value = stored.state.agreedFields[FieldPath(property)!] else { return nil }
        return try? FieldValueCoding.decode(T.self, from: value, field: property)
    }

    /// Every value a field holds, siblings included.
    private func all<T: Decodable>(_ property: String, as type: T.Type) -> [T] {
        (stored.state.entries[FieldPath(property)!]?.values.map { $0 } ?? []).compactMap {
            try? FieldValueCoding.decode(T.self, from: $0, field: property)
        }
    }

    var states: [WorkOrderState] { Array(Set(all("state", as: WorkOrderState.self))).sorted() }

    var summary: OrderSummary {
        let timing = stored.timing
        let nextDue = timing?.steps.first { $0.metAt == nil }?.dueBy
        return OrderSummary(
            id: stored.key.id, grids: stored.grids, states: states, urgency: all("urgency", as: Urgency.self).min(),
            category: agreed("category", as: WorkOrderCategory.self), summary: agreed("summary", as: String.self),
            assignee: agreed("assignee", as: Assignee.self), reporter: agreed("reporter", as: String.self),
            reportedAt: timing?.reportedAt, inConflict: stored.state.isInConflict,
            overdue: isFinal ? [] : timing?.overdue(at: now) ?? [], nearlyDue: isFinal ? [] : timing?.nearlyDue(at: now) ?? [],
            nextDue: isFinal ? nil : nextDue, version: stored.seq)
    }

    /// Every state held is final: nothing more is due.
    var isFinal: Bool { !states.isEmpty && states.allSatisfy(\.isFinal) }

    var timeline: [TimelineEntry] {
        let received = stored.timing?.received ?? [:]
        var entries: [TimelineEntry] = []
        for (path, values) in stored.state.entries where path.property == "actions" {
            guard let element = path.element, let id = RecordID(String(element)) else { continue }
            for value in values.values {
                guard let action = try? FieldValueCoding.decode(WorkOrderAction.self, from: value, field: path.rawValue) else { continue }
                entries.append(TimelineEntry(action: id, from: action.from, to: action.to, by: action.by, at: action.at,
                                             receivedAt: received[id.rawValue], reason: action.reason))
            }
        }
        return entries.sorted { lhs, rhs in
            let left = lhs.receivedAt ?? .distantPast, right = rhs.receivedAt ?? .distantPast
            return left != right ? left < right : lhs.action < rhs.action
        }
    }

    var detail: OrderDetail {
        OrderDetail(order: summary, source: agreed("source", as: WorkOrderSource.self), handlingNotes: agreed("handlingNotes", as: String.self),
                    feedback: agreed("feedback", as: CitizenFeedback.self),
                    photos: stored.state.entries.keys.filter { $0.property == "photos" && $0.element != nil }.count,
                    photoDigests: PhotoDigests.named(by: stored.state, kind: .workOrder).sorted(),
                    timeline: timeline, timing: stored.timing, asOf: now)
    }
}
