import Foundation
@testable import GridSyncCore
import Testing

/// The work-order workflow on its own: the table, how a move is built, and the audit that
/// reads a timeline back.
@Suite("Workflow")
struct WorkflowTests {
    let workflow = WorkOrder.workflow
    let key = RecordKey(kind: .workOrder, id: RecordID("wo-1")!)
    let worker = ReplicaID("dev-a")!
    let note = MoveNote(by: "李四", at: Date(timeIntervalSince1970: 1_795_000_000))

    func report(_ state: inout RecordState) throws -> Change {
        let fields = try workflow.move(in: state, to: "reported", actionID: RecordID("a1")!, note: note, extra: [
            FieldPath("grid")!: "futian/shatou/community-03/grid-12", FieldPath("source")!: ["channel": "walkIn"],
            FieldPath("category")!: "sanitation", FieldPath("urgency")!: "red", FieldPath("summary")!: "楼道堆物",
            FieldPath("reporter")!: "李四", FieldPath("reportedAt")!: "2026-11-24T09:05:00.000Z"], by: worker)
        return state.write(fields, by: worker, id: ChangeID("c1")!, record: key)
    }

    @Test("the table covers every state; closed and rejected are final; 巡办合一 goes straight from reported to handled")
    func table() {
        #expect(Set(WorkOrderState.transitions.keys) == Set(WorkOrderState.allCases))
        #expect(WorkOrderState.allCases.filter(\.isFinal) == [.closed, .rejected])
        #expect(workflow.isLegal(from: "reported", to: "handled") && !workflow.isLegal(from: "reported", to: "closed"))
        #expect(workflow.isLegal(from: nil, to: "reported") && !workflow.isLegal(from: nil, to: "accepted"))
    }

    @Test("a built move names its own state write's dot and what it replaced, and passes the server's check")
    func builtMove() throws {
        var state = RecordState()
        let created = try report(&state)
        #expect(workflow.violation(of: created, before: RecordState()) == nil)
        let before = state
        let fields = try workflow.move(in: state, to: "handled", actionID: RecordID("a2")!, note: note,
                                       extra: [FieldPath("handlingNotes")!: "已清理"], by: worker)
        let move = state.write(fields, by: worker, id: ChangeID("c2")!, record: key)
        let action = try #require(move.writes[FieldPath("actions", element: "a2")]?.value)
        #expect(action["stateDot"]?.stringValue == move.writes[workflow.statePath]?.dot.description)
        #expect(action["replaces"] == .array([.string(created.writes[workflow.statePath]!.dot.description)]))
        #expect(action["from"] == "reported")
        #expect(workflow.violation(of: move, before: before) == nil)
        #expect(workflow.firstIllegalMove(in: state) == nil)
        #expect(throws: ValidationError.self) { try workflow.move(in: state, to: "accepted", actionID: RecordID("a3")!, note: note, by: worker) }
    }

    @Test("the audit names a stored move the rules forbid, and a state no action records")
    func audit() throws {
        var state = RecordState()
        let created = try report(&state)
        // Forced past the rules: reported straight to closed.
        var forged = state
        let reportDot = created.writes[workflow.statePath]!.dot
        _ = forged.write([workflow.statePath: "closed", FieldPath("actions", element: "a9"): [
            "id": "a9", "from": "reported", "to": "closed", "by": "x", "at": "2026-11-24T09:05:00.000Z",
            "stateDot": .string(Dot(replica: worker, counter: forged.clock[worker] + 2).description), "replaces": [.string(reportDot.description)]]],
            by: worker, id: ChangeID("c9")!, record: key)
        #expect(workflow.firstIllegalMove(in: forged)?.contains("to closed") == true)
        var bare = state
        _ = bare.write([workflow.statePath: "accepted"], by: worker, id: ChangeID("c8")!, record: key)
        #expect(workflow.firstIllegalMove(in: bare)?.contains("no action") == true)
    }
}
