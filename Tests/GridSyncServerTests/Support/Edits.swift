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

    static let notes = FieldPath("notes")!
    static let phoneMember = FieldPath("members/m1")!
}
