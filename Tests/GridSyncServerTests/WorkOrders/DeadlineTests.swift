import Foundation
import GridSyncCore
import GridSyncProtocol
@testable import GridSyncServer
import Testing

/// Deadlines come from the server's receipt of each move and the policy, never from a handset.
@Suite("Deadlines")
struct DeadlineTests {
    static let key = RecordKey(kind: .workOrder, id: RecordID("wo-1")!)
    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)
    let policy = DeadlinePolicy.standard

    /// A handset whose clock is set years wrong.
    func terminal() -> Terminal { Terminal("dev-skewed") }

    @Test("a red case is due on site an hour and answered a day after the server received it, whatever the handset's clock")
    func redFromReceipt() throws {
        var handset = terminal()
        _ = try handset.move(Self.key, to: .reported, extra: Sample.workOrderReport(urgency: .red))
        let state = handset.states[Self.key]!
        let timing = try #require(policy.timing(of: state, workflow: WorkOrder.workflow, previous: nil, at: Self.t0))
        #expect(timing.reportedAt == Self.t0 && timing.urgency == .red)
        #expect(timing[.onSite]?.dueBy == Self.t0.addingTimeInterval(3_600))
        #expect(timing[.answer]?.dueBy == Self.t0.addingTimeInterval(86_400))
        #expect(timing[.onSite]?.nearlyDueAt == Self.t0.addingTimeInterval(2_700))
        #expect(timing.steps.allSatisfy { $0.metAt == nil })
        #expect(timing.overdue(at: Self.t0.addingTimeInterval(3_599)) == [.accept, .dispatch])
        #expect(timing.overdue(at: Self.t0.addingTimeInterval(3_600)) == [.accept, .dispatch, .onSite])
        #expect(timing.nearlyDue(at: Self.t0.addingTimeInterval(2_800)) == [.onSite])
    }

    @Test("a move keeps its first stamp; later moves are stamped when they arrive, and meet the steps they reach")
    func stamps() throws {
        var handset = terminal()
        _ = try handset.move(Self.key, to: .reported, extra: Sample.workOrderReport(urgency: .yellow))
        let first = try #require(policy.timing(of: handset.states[Self.key]!, workflow: WorkOrder.workflow, previous: nil, at: Self.t0))
        // Handled on the spot 20 minutes later by the server's clock.
        _ = try handset.move(Self.key, to: .handled)
        let later = Self.t0.addingTimeInterval(1_200)
        let second = try #require(policy.timing(of: handset.states[Self.key]!, workflow: WorkOrder.workflow, previous: first, at: later))
        #expect(second.reportedAt == Self.t0)
        #expect(second.received.count == 2 && Set(second.received.values) == [Self.t0, later])
        #expect(second[.accept]?.metAt == later && second[.dispatch]?.metAt == later && second[.onSite]?.metAt == later)
        #expect(second[.answer]?.metAt == nil)
        // Seen again a day on, nothing is re-stamped.
        let again = try #require(policy.timing(of: handset.states[Self.key]!, workflow: WorkOrder.workflow, previous: second,
                                               at: Self.t0.addingTimeInterval(86_400)))
        #expect(again == second)
    }

    @Test("while urgency is contested, the most urgent colour sets the deadlines")
    func contestedUrgency() throws {
        var a = Terminal("dev-a"), b = Terminal("dev-b")
        _ = try a.move(Self.key, to: .reported, extra: Sample.workOrderReport(urgency: .green))
        b.receive(a.states[Self.key]!, for: Self.key)
        _ = try a.write([FieldPath("urgency")!: "yellow"], to: Self.key)
        _ = try b.write([FieldPath("urgency")!: "red"], to: Self.key)
        var state = a.states[Self.key]!
        state.merge(b.states[Self.key]!)
        #expect(state.conflictingFields == [FieldPath("urgency")!])
        let timing = try #require(policy.timing(of: state, workflow: WorkOrder.workflow, previous: nil, at: Self.t0))
        #expect(timing.urgency == .red)
    }

    @Test("a policy file's durations are read, and a typo is refused by name")
    func parsing() throws {
        let policy = try DeadlinePolicy.parse(windows: ["red": ["onSite": "30m", "answer": "12h"], "green": ["answer": "14d"]], nearlyDue: 0.5)
        #expect(policy.windows[.red]?[.onSite] == 1_800 && policy.windows[.red]?[.answer] == 43_200)
        #expect(policy.windows[.red]?[.accept] == DeadlinePolicy.standard.windows[.red]?[.accept])
        #expect(policy.windows[.green]?[.answer] == 14 * 86_400 && policy.nearlyDue == 0.5)
        for (windows, nearly, named) in [(["red": ["onsite": "1h"]], nil, "red.onsite"), (["orange": ["onSite": "1h"]], nil, "orange"),
                                          (["red": ["onSite": "soon"]], nil, "red.onSite"), ([:], 1.5 as Double?, "nearlyDue")] {
            #expect { try DeadlinePolicy.parse(windows: windows, nearlyDue: nearly) } throws: { "\($0)".contains(named) }
        }
    }
}
