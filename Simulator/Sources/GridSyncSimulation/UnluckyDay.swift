import FieldClient
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol

/// The hostile and unlucky mix, in a few grids that have a cadre besides their worker:
///
/// - the worker's outbox holds a change the server refuses (a household moved to a grid outside
///   his assignment, with a note), followed by another edit of the same field: the later edit
///   must win cleanly, with no conflict against the worker's own value;
/// - the worker deletes a household while the cadre edits it: a delete conflict, which the
///   command centre settles by overruling the delete (the whole record comes back) in half the
///   grids and by keeping it in the others;
/// - where the delete was kept, the worker later brings the household back (a revival).
///
/// Each grid uses two households of its own beyond the ones ordinary edits pick, so the ledger's
/// expectations for everything else are untouched.
struct UnluckyDay: Sendable {
    struct Case: Sendable {
        let gridIndex: Int
        let worker: Int
        let cadre: Int
        /// Deleted by the worker while the cadre edits it: the grid's household `contestedNumber`.
        let contested: RecordKey
        let contestedNumber: Int
        /// Edited after a refused change.
        let refused: RecordKey
        /// Every other case overrules the delete; the rest keep it and revive the record later.
        let overrule: Bool
    }

    static let followUpNote = "拒绝后再次记录"
    static let cadreNote = "下沉干部：仍有人居住"
    static let workerNote = "网格员：核实后更新"

    let cases: [Case]

    /// The first `count` grids that have a cadre.
    init(count: Int, hierarchy: Hierarchy, householdsPerGrid: Int) {
        var cases: [Case] = []
        for (gridIndex, grid) in hierarchy.grids.enumerated() where cases.count < count {
            guard let worker = hierarchy.terminals.firstIndex(where: { $0.grid == grid && !$0.isCadre }),
                  let cadre = hierarchy.terminals.firstIndex(where: { $0.grid == grid && $0.isCadre }) else { continue }
            cases.append(Case(
                gridIndex: gridIndex, worker: worker, cadre: cadre,
                contested: RecordKey(kind: .household, id: SimTerminal.householdID(grid: gridIndex, number: householdsPerGrid)),
                contestedNumber: householdsPerGrid,
                refused: RecordKey(kind: .household, id: SimTerminal.householdID(grid: gridIndex, number: householdsPerGrid + 1)),
                overrule: cases.count % 2 == 0))
        }
        self.cases = cases
    }

    /// Every terminal taking part: kept online and installed once, so the story runs as told.
    var terminals: Set<Int> { Set(cases.flatMap { [$0.worker, $0.cadre] }) }

    /// Households each grid needs: the ordinary ones plus this grid's two.
    func households(gridIndex: Int, ordinary: Int) -> Int {
        cases.contains { $0.gridIndex == gridIndex } ? ordinary + 2 : ordinary
    }

    /// Round one, offline: the refused change and the edit after it, the delete and the edit
    /// against it.
    func firstRound(_ terminals: [SimTerminal], ledger: LedgerBox) async throws {
        for unlucky in cases {
            let worker = terminals[unlucky.worker], cadre = terminals[unlucky.cadre]
            try await worker.queueRefusedEdit(of: unlucky.refused)
            try await worker.edit(unlucky.refused, notes: Self.followUpNote, ledger: ledger)
            try await worker.delete(unlucky.contested)
            try await cadre.edit(unlucky.contested, notes: Self.cadreNote, ledger: ledger)
        }
    }

    /// The command centre settles each delete conflict.
    func resolve(admin: AdminClient) async throws {
        for unlucky in cases {
            let detail = try await admin.conflict(unlucky.contested)
            var request = ResolveRequest(expectedVersion: detail.summary.version, reason: "模拟：核实后处理")
            if unlucky.overrule {
                request.keep = detail.sides.first { !$0.deletes }?.replica
            } else {
                request.delete = true
            }
            _ = try await admin.resolve(unlucky.contested, request)
        }
    }

    /// Round two: the worker edits the restored households and brings back the deleted ones.
    func secondRound(_ terminals: [SimTerminal], ledger: LedgerBox) async throws {
        for unlucky in cases {
            let worker = terminals[unlucky.worker]
            if unlucky.overrule {
                try await worker.edit(unlucky.contested, notes: Self.workerNote, ledger: ledger)
            } else {
                try await worker.revive(unlucky.contested, number: unlucky.contestedNumber, ledger: ledger)
            }
        }
    }

    /// What the server must hold afterwards; each broken promise is a note in the report.
    func check(_ server: [RecordKey: RecordState], parked: [RecordKey: [String]]) -> (figures: SimulationReport.Unlucky, notes: [String]) {
        var figures = SimulationReport.Unlucky()
        var notes: [String] = []
        for unlucky in cases {
            if parked[unlucky.refused]?.contains("out_of_scope") == true { figures.rejectedMidQueue += 1 }
            else { notes.append("\(unlucky.refused): the move out of the grid was not refused") }
            if let state = server[unlucky.refused], !state.isInConflict, state.agreedFields[SharedField.notes] == .string(Self.followUpNote) {
                figures.followedRejections += 1
            } else {
                notes.append("\(unlucky.refused): the edit after a refused one did not win cleanly")
            }
            guard let contested = server[unlucky.contested], !contested.isTombstoned, !contested.isInConflict,
                  contested.missingRequired(of: .household) == nil else {
                notes.append("\(unlucky.contested): not live, complete and out of conflict at the end of the day")
                continue
            }
            if unlucky.overrule {
                if contested.agreedFields[SharedField.notes] == .string(Self.workerNote) { figures.overruledDeletes += 1 }
                else { notes.append("\(unlucky.contested): the overruled delete did not keep the later edit") }
            } else {
                figures.revivals += 1
            }
        }
        figures.cases = cases.count
        return (figures, notes)
    }
}

extension SimTerminal {
    /// Queues a change the server must refuse: the worker moves a household to a grid outside
    /// his assignment (the handset cannot know the assignment is stale) and notes why, offline.
    func queueRefusedEdit(of key: RecordKey) async throws {
        let elsewhere = GridPath("\(profile.grid.description.split(separator: "/").first!)/elsewhere/community-00/grid-00")!
        note(try await client.update(Household.self, id: key.id) { household in
            household.grid = elsewhere
            household.notes = "已迁出本网格"
        })
    }

    func edit(_ key: RecordKey, notes: String, ledger: LedgerBox) async throws {
        let change = try await client.update(Household.self, id: key.id) { $0.notes = notes }
        note(change)
        if let change { await ledger.record(lineage: profile.worker, change: change, fields: [SharedField.notes], knownSettle: knownSettle) }
    }

    func delete(_ key: RecordKey) async throws {
        note(try await client.delete(Household.self, id: key.id))
    }

    /// Brings a deleted household back, whole.
    func revive(_ key: RecordKey, number: Int, ledger: LedgerBox) async throws {
        let change = try await client.create(Self.household(id: key.id, grid: profile.grid, number: number))
        note(change)
        await ledger.record(lineage: profile.worker, change: change, fields: SharedField.all, knownSettle: knownSettle)
    }
}
