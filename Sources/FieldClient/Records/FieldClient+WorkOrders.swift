import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol

/// Work orders (工单) on the handset: report a case, handle it on the spot, verify a fix, record
/// the citizen's feedback. Every move is checked against the workflow here, offline, and a move
/// the server would refuse is refused now with the same `illegal_transition` error.
extension FieldClient {
    /// Reports a case (上报). The order is the worker's, in `grid`, reported now by the
    /// handset's clock (shown only: deadlines run from the server's receipt). Returns the
    /// queued change; the order's id is its `record.id`.
    @discardableResult
    public func reportWorkOrder(
        id: RecordID? = nil, grid: GridPath, source: WorkOrderSource, category: WorkOrderCategory, urgency: Urgency,
        summary: String, photos: [PhotoReference] = []
    ) throws -> Change {
        let identity = try requireIdentity()
        let id = try id ?? RecordID(configuration.makeChangeID()).orThrow("the id source produced an invalid id")
        let order = WorkOrder(id: id, grid: grid, source: source, category: category, urgency: urgency, summary: summary,
                              reporter: identity.worker, reportedAt: configuration.now(), state: .reported, photos: photos)
        try order.validate()
        var fields = try order.fields()
        fields[WorkOrder.workflow.statePath] = nil
        return try move(order.key, to: .reported, reason: nil, extra: fields, expectNew: true)
    }

    /// Reports a patrol finding for dispatch (巡办分离), linked to the finding.
    @discardableResult
    public func report(finding: Finding, of patrol: Patrol, urgency: Urgency, summary: String? = nil) throws -> Change {
        try reportWorkOrder(grid: patrol.grid, source: .finding(finding.id, of: patrol.id), category: WorkOrderCategory(finding.category),
                            urgency: urgency, summary: summary ?? finding.description)
    }

    /// Reports a need raised on a household visit, linked to the need.
    @discardableResult
    public func report(need: Need, of visit: HouseholdVisit, urgency: Urgency, summary: String? = nil) throws -> Change {
        try reportWorkOrder(grid: visit.grid, source: .need(need.id, of: visit.id), category: WorkOrderCategory(need.category),
                            urgency: urgency, summary: summary ?? need.text)
    }

    /// Marks a case handled (处置), on the spot (巡办合一, from reported) or after dispatch, with
    /// what was done.
    @discardableResult
    public func handle(workOrder id: RecordID, notes: String? = nil, photos: [PhotoReference] = []) throws -> Change {
        var extra: [FieldPath: FieldValue] = [:]
        if let notes { extra[FieldPath("handlingNotes")!] = .string(notes) }
        for photo in photos { extra[FieldPath("photos", element: photo.id.rawValue)] = try FieldValueCoding.encode(photo) }
        return try move(RecordKey(kind: .workOrder, id: id), to: .handled, reason: notes, extra: extra)
    }

    /// Confirms a fix on site (确认), or sends it back for rework when it is not fixed.
    @discardableResult
    public func verify(workOrder id: RecordID, fixed: Bool = true, reason: String? = nil) throws -> Change {
        try move(RecordKey(kind: .workOrder, id: id), to: fixed ? .verified : .returned, reason: reason)
    }

    /// Records what the citizen said (反馈) and closes the verified case.
    @discardableResult
    public func recordFeedback(workOrder id: RecordID, _ feedback: CitizenFeedback) throws -> Change {
        try move(RecordKey(kind: .workOrder, id: id), to: .closed, reason: feedback.comment,
                 extra: [FieldPath("feedback")!: try FieldValueCoding.encode(feedback)])
    }

    /// Any move, with fields written alongside it: built from the handset's own view of the order
    /// (its confirmed state and its queued moves), checked, applied and queued in one transaction.
    @discardableResult
    public func move(workOrder id: RecordID, to state: WorkOrderState, reason: String? = nil) throws -> Change {
        try move(RecordKey(kind: .workOrder, id: id), to: state, reason: reason)
    }

    @discardableResult
    func move(_ key: RecordKey, to state: WorkOrderState, reason: String?, extra: [FieldPath: FieldValue] = [:], expectNew: Bool = false) throws -> Change {
        let identity = try requireIdentity()
        let changeID = try mintChangeID()
        let now = configuration.now()
        let workflow = WorkOrder.workflow
        return try pool.write { [rows] db in
            var row = try RecordRow.fetch(key, db, cache: rows) ?? RecordRow(key: key, serverState: nil, state: RecordState())
            if expectNew && !row.state.isEmpty {
                throw FieldClientError(.invalid, "\(key) already exists on this handset")
            }
            if !expectNew && row.state.isEmpty { throw FieldClientError(.notFound, "no work order \(key.id) on this handset") }
            if row.state.conflictingFields.contains(workflow.statePath) {
                throw FieldClientError(.underReview, "under review by the command centre: the order's state is contested")
            }
            let fields = try workflow.move(in: row.state, to: state.rawValue, actionID: RecordID(changeID.rawValue)!,
                                           note: MoveNote(by: identity.worker, at: now, reason: reason), extra: extra, by: identity.replicaID,
                                           alsoSuperseding: Self.confirmedDots(of: [workflow.statePath], in: row))
            return try Self.write(fields, to: &row, by: identity.replicaID, id: changeID, at: now, db, cache: rows)
        }
    }
}

extension WorkOrderCategory {
    /// A finding's category as a case's.
    init(_ category: FindingCategory) {
        self = WorkOrderCategory(rawValue: category.rawValue) ?? .other
    }

    /// A visit need's category as a case's.
    init(_ category: NeedCategory) {
        self = WorkOrderCategory(rawValue: category.rawValue) ?? .other
    }
}

extension Optional {
    func orThrow(_ message: String) throws -> Wrapped {
        guard let self else { throw FieldClientError(.invalid, message) }
        return self
    }
}

extension FieldClient {
    /// The server's clock as this handset estimates it: its own clock corrected by the offset
    /// seen at the last pull. A handset set a day wrong still shows a red case overdue on time.
    public func serverNow() throws -> Date {
        let offset = try pool.read { db in try Meta.serverClockOffset.get(db).flatMap(Double.init) } ?? 0
        return configuration.now().addingTimeInterval(offset)
    }

    /// A work order's deadlines as the server last sent them; `nil` before its first pull.
    public func deadlines(workOrder id: RecordID) throws -> CaseTiming? {
        try pool.read { db in
            guard let data = try Data.fetchOne(db, sql: "SELECT timing FROM record WHERE kind = 'workOrder' AND id = ?", arguments: [id.rawValue])
            else { return nil }
            return try WireCoding.decode(CaseTiming.self, from: data)
        }
    }
}
