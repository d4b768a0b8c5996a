import Foundation
import GridSyncCore

/// Builds changes the way a terminal does: a local replica state per device and record.
struct Terminal {
    let replica: ReplicaID
    var states: [RecordKey: RecordState] = [:]
    private var counter = 0

    init(replica: ReplicaID) {
        self.replica = replica
    }

    init(_ replicaID: String) {
        self.init(replica: ReplicaID(replicaID)!)
    }

    mutating func nextChangeID() -> ChangeID {
        counter += 1
        return ChangeID("\(replica.rawValue)-\(UUID().uuidString.prefix(8))-\(counter)")!
    }

    mutating func create<R: SyncedRecord>(_ record: R) throws -> Change {
        try write(try record.fields(), to: record.key)
    }

    mutating func write(_ fields: [FieldPath: FieldValue], to key: RecordKey) throws -> Change {
        var state = states[key] ?? RecordState()
        let change = state.write(fields, by: replica, id: nextChangeID(), record: key)
        states[key] = state
        return change
    }

    mutating func delete(_ key: RecordKey) -> Change {
        var state = states[key] ?? RecordState()
        let change = state.delete(by: replica, id: nextChangeID(), record: key)
        states[key] = state
        return change
    }

    /// Moves a work order (or reports it, from an empty state) as a handset does.
    mutating func move(_ key: RecordKey, to: WorkOrderState, extra: [FieldPath: FieldValue] = [:], reason: String? = nil) throws -> Change {
        var state = states[key] ?? RecordState()
        let id = nextChangeID()
        let fields = try WorkOrder.workflow.move(in: state, to: to.rawValue, actionID: RecordID(id.rawValue)!,
                                                 note: MoveNote(by: replica.rawValue, at: Date(timeIntervalSince1970: 1_795_000_000), reason: reason),
                                                 extra: extra, by: replica)
        let change = state.write(fields, by: replica, id: id, record: key)
        states[key] = state
        return change
    }

    /// Takes in a record as the server sent it.
    mutating func receive(_ state: RecordState, for key: RecordKey) {
        states[key, default: RecordState()].merge(state)
    }
}

enum Sample {
    static func household(_ id: String, grid: GridPath = TestServer.gridA) -> Household {
        Household(id: RecordID(id)!, grid: grid, address: Address(building: "12栋", unit: "2单元", room: "301"), type: .resident,
                  members: [Member(id: RecordID("m1")!, name: "王秀英", relation: .head, phone: "13800138000", tags: [.elderlyLivingAlone])])
    }

    static func patrol(_ id: String, grid: GridPath = TestServer.gridA) -> Patrol {
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        return Patrol(id: RecordID(id)!, grid: grid, worker: "zhang.wei", startedAt: start,
                      trackPoints: [TrackPoint(id: RecordID("p1")!, position: Coordinate(latitude: 22.52, longitude: 114.05), recordedAt: start)])
    }

    /// A work order's report fields (all but the state and its action).
    static func workOrderReport(grid: GridPath = TestServer.gridA, urgency: Urgency = .red) -> [FieldPath: FieldValue] {
        [FieldPath("grid")!: .string(grid.description), FieldPath("source")!: ["channel": "walkIn"],
         FieldPath("category")!: "sanitation", FieldPath("urgency")!: .string(urgency.rawValue), FieldPath("summary")!: "楼道堆物",
         FieldPath("reporter")!: "李四", FieldPath("reportedAt")!: "2026-11-24T09:05:00.000Z"]
    }

    static let notes = FieldPath("notes")!
    static let phoneMember = FieldPath("members/m1")!
}
