import Foundation
@testable import GridSyncCore

/// Realistic, entirely fictitious records. The ID number passes the GB 11643 checksum.
enum Fixtures {
    static let grid = GridPath("futian/shatou/community-03/grid-12")!
    static let visitedAt = Date(timeIntervalSince1970: 1_795_000_000)

    static let household = Household(
        id: RecordID("hh-0192")!, grid: grid,
        address: Address(building: "12栋", unit: "2单元", room: "301"), type: .rented,
        members: [
            Member(id: RecordID("m1")!, name: "王秀英", relation: .head, idNumber: "11010519491231002X",
                   phone: "13800138000", tags: [.elderlyLivingAlone]),
            Member(id: RecordID("m2")!, name: "李明", relation: .tenant, phone: "0755-83501234"),
        ])

    static let patrol = Patrol(
        id: RecordID("pt-77")!, grid: grid, worker: "zhang.wei", startedAt: visitedAt,
        endedAt: visitedAt.addingTimeInterval(3_600),
        trackPoints: [
            TrackPoint(id: RecordID("p2")!, position: Coordinate(latitude: 22.52, longitude: 114.05), recordedAt: visitedAt.addingTimeInterval(60)),
            TrackPoint(id: RecordID("p1")!, position: Coordinate(latitude: 22.51, longitude: 114.05), recordedAt: visitedAt),
        ],
        findings: [Finding(id: RecordID("f1")!, category: .blockedFireExit, severity: .high,
                           location: Coordinate(latitude: 22.52, longitude: 114.05),
                           description: "消防通道堆放杂物", handledOnSpot: true, reportedAt: visitedAt)],
        photos: [PhotoReference(id: RecordID("ph1")!, findingID: RecordID("f1")!, uri: "photo://pt-77/ph1.jpg")])

    static let visit = HouseholdVisit(
        id: RecordID("hv-5")!, grid: grid, householdID: household.id, visitor: "zhang.wei", visitedAt: visitedAt,
        outcome: .met, peopleMet: [RecordID("m1")!],
        needs: [Need(id: RecordID("n1")!, category: .elderlyCare, text: "需要助餐服务", handling: .escalated, raisedAt: visitedAt)],
        followUpOn: CalendarDay("2026-12-01"))

    static let log = VisitLog(
        id: RecordID("vl-1")!, grid: grid, worker: "zhang.wei", day: CalendarDay("2026-11-24")!,
        entries: [LogEntry(id: RecordID("e1")!, at: visitedAt, text: "上午巡查完毕")], summary: "走访 12 户")

    /// A case a worker found on patrol and fixed on the spot (巡办合一), then verified: its
    /// actions are what `Workflow.move` writes, with the dots a worker's handset gives them.
    static let workOrder = WorkOrder(
        id: RecordID("wo-5")!, grid: grid, source: .finding(RecordID("f1")!, of: RecordID("pt-77")!),
        category: .blockedFireExit, urgency: .yellow, summary: "消防通道堆放杂物", reporter: "zhang.wei",
        reportedAt: visitedAt, state: .handled, assignee: Assignee(level: .grid),
        actions: [
            WorkOrderAction(id: RecordID("a1")!, from: nil, to: .reported, by: "zhang.wei", at: visitedAt,
                            stateDot: Dot("dev-7:9")!),
            WorkOrderAction(id: RecordID("a2")!, from: .reported, to: .handled, by: "zhang.wei", at: visitedAt.addingTimeInterval(600),
                            reason: "当场清理", stateDot: Dot("dev-7:12")!, replaces: [Dot("dev-7:9")!]),
        ],
        handlingNotes: "已清理通道")
}
