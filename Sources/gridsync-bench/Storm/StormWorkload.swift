import Foundation
import GridSyncCore
import GridSyncProtocol
import NIOCore

/// The thin-client storm's terminals and their prepared bodies: each terminal's day of
/// door-to-door visits in one push, built before the clock starts so the clients cost little.
struct StormWorkload {
    struct Terminal {
        var index: Int
        var grid: Int
        var worker: String
        var token: String
        var replica: ReplicaID
        /// The terminal's visits, in one push.
        var push: ByteBuffer
        var visitIDs: [RecordID]
        /// Where its pull stood before the storm.
        var cursor = ""
    }

    static let district = GridPath("futian/shatou")!
    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    static func grid(_ index: Int) -> GridPath {
        GridPath("futian/shatou/community-\(index / 10)/grid-\(index % 10)")!
    }

    static func household(grid: Int, _ index: Int) -> RecordID { RecordID("hh-g\(grid)-\(index)")! }

    /// The households a grid already holds when the storm begins: what its visits are about.
    static func seedPush(grid: Int, households: Int, replica: ReplicaID) throws -> ByteBuffer {
        var changes: [Change] = []
        for index in 0..<households {
            let household = Household(
                id: household(grid: grid, index), grid: self.grid(grid),
                address: Address(building: "\(index / 24 + 1)", unit: "\(index % 4 + 1)", room: "\(index % 6 + 1)0\(index % 4 + 1)"),
                type: .resident, notes: "楼道有杂物，已提醒")
            var state = RecordState()
            changes.append(state.write(try household.fields(), by: replica, id: ChangeID("\(replica)-seed-\(index)")!, record: household.key))
        }
        return ByteBuffer(data: try WireCoding.encode(PushRequest(changes: changes)))
    }

    /// Realistic visits: an outcome, the people met, and zero to two needs with text.
    static func visits(terminal: Int, grid: Int, worker: String, replica: ReplicaID, count: Int, households: Int) throws -> (ByteBuffer, [RecordID]) {
        var random = SplitMix64(seed: UInt64(terminal) + 1)
        var changes: [Change] = []
        var ids: [RecordID] = []
        let texts = ["独居老人需要助餐服务", "楼道灯坏了，晚上看不清", "咨询医保异地报销政策", "邻里噪音纠纷，希望调解", "家中老人行动不便，申请上门体检"]
        for index in 0..<count {
            let id = RecordID("hv-t\(terminal)-\(index)")!
            let at = start.addingTimeInterval(Double(index * 300))
            let roll = random.next() % 10
            let outcome: VisitOutcome = roll < 7 ? .met : (roll < 9 ? .notAtHome : .refused)
            let people = outcome == .met ? (0...Int(random.next() % 3)).map { RecordID("m\($0)")! } : []
            let needCount = outcome == .met ? Int(random.next() % 3) : 0
            let needs = (0..<needCount).map { n in
                Need(id: RecordID("n\(n + 1)")!, category: NeedCategory.allCases[Int(random.next() % UInt64(NeedCategory.allCases.count))],
                     text: texts[Int(random.next() % UInt64(texts.count))], handling: n == 0 ? .escalated : .pending, raisedAt: at)
            }
            let visit = HouseholdVisit(
                id: id, grid: self.grid(grid), householdID: household(grid: grid, Int(random.next() % UInt64(households))),
                visitor: worker, visitedAt: at, outcome: outcome, peopleMet: people, needs: needs)
            var state = RecordState()
            changes.append(state.write(try visit.fields(), by: replica, id: ChangeID("\(replica)-\(index + 1)")!, record: visit.key))
            ids.append(id)
        }
        return (ByteBuffer(data: try WireCoding.encode(PushRequest(changes: changes, device: DeviceReport(pendingChanges: count, appVersion: "bench")))), ids)
    }
}

