import GridSyncCore

/// Values a random history writes, per kind: mostly valid, with a few that each rule must refuse
/// (a malformed phone, a blank name, an end before the start, people met while not met, a
/// rewritten track point), so histories include rejections as well as merges.
struct KindSamples: Sendable {
    let kind: RecordKind
    /// Candidate values per field path; `null` clears an optional property or removes an element.
    let candidates: [FieldPath: [FieldValue]]

    var required: [FieldPath] { kind.schema.requiredProperties.map { FieldPath($0)! } }
    var paths: [FieldPath] { candidates.keys.sorted() }

    static let all: [KindSamples] = [household, householdVisit, patrol, visitLog, workOrder]
    static let grids: [FieldValue] = ["futian/shatou/community-03/grid-12", "futian/shatou/community-03/grid-13"]

    static let household = KindSamples(kind: .household, candidates: [
        FieldPath("grid")!: grids,
        FieldPath("address")!: [["building": "12", "room": "301", "unit": "2"], ["building": "7", "room": "101", "unit": ""]],
        FieldPath("type")!: ["resident", "rented", "registeredAbsent"],
        FieldPath("notes")!: ["独居老人", "已搬走", .null],
        FieldPath("members/m1")!: [["id": "m1", "name": "王秀英", "relation": "head", "phone": "13800138000", "tags": []],
                                   ["id": "m1", "name": "王秀英", "relation": "head", "phone": "12345", "tags": []], .null],
        FieldPath("members/m2")!: [["id": "m2", "name": "李强", "relation": "spouse", "tags": ["disabled"]], .null],
    ])

    static let householdVisit = KindSamples(kind: .householdVisit, candidates: [
        FieldPath("grid")!: grids,
        FieldPath("householdID")!: ["hh-1", "hh-2"],
        FieldPath("visitor")!: ["李四", "王五", " "],
        FieldPath("visitedAt")!: ["2026-11-24T09:05:00.000Z", "2026-11-25T15:00:00.000Z"],
        FieldPath("outcome")!: ["met", "notAtHome", "refused"],
        FieldPath("peopleMet")!: [[], ["m1"], .null],
        FieldPath("followUpOn")!: ["2026-12-01", .null],
        FieldPath("needs/n1")!: [["id": "n1", "category": "elderlyCare", "text": "需要助餐", "handling": "escalated",
                                  "raisedAt": "2026-11-24T09:12:00.000Z"], .null],
    ])

    static let patrol = KindSamples(kind: .patrol, candidates: [
        FieldPath("grid")!: grids,
        FieldPath("worker")!: ["张伟", "李四", ""],
        FieldPath("startedAt")!: ["2026-11-24T08:00:00.000Z", "2026-11-24T09:00:00.000Z"],
        FieldPath("endedAt")!: ["2026-11-24T10:00:00.000Z", "2026-11-24T08:30:00.000Z", .null],
        FieldPath("trackPoints/p1")!: [["id": "p1", "position": ["latitude": 22.52, "longitude": 114.05], "recordedAt": "2026-11-24T08:01:00.000Z"]],
        FieldPath("trackPoints/p2")!: [["id": "p2", "position": ["latitude": 22.53, "longitude": 114.06], "recordedAt": "2026-11-24T08:02:00.000Z"],
                                       ["id": "p2", "position": ["latitude": 22.54, "longitude": 114.06], "recordedAt": "2026-11-24T08:02:00.000Z"]],
    ])

    static let visitLog = KindSamples(kind: .visitLog, candidates: [
        FieldPath("grid")!: grids,
        FieldPath("worker")!: ["李四", "王五"],
        FieldPath("day")!: ["2026-11-24", "2026-11-25", "2026-13-45"],
        FieldPath("summary")!: ["上午走访三户", "下午走访两户", .null],
        FieldPath("entries/e1")!: [["id": "e1", "at": "2026-11-24T10:02:00.000Z", "text": "走访12栋"]],
        FieldPath("entries/e2")!: [["id": "e2", "at": "2026-11-24T11:02:00.000Z", "text": "走访13栋"]],
    ])

    /// `state` is written as a move (`Workflow.move`), whose first candidate is the report; a
    /// move the handset finds illegal is now and then pushed bare, for the server to refuse.
    static let workOrder = KindSamples(kind: .workOrder, candidates: [
        FieldPath("grid")!: grids,
        FieldPath("source")!: [["channel": "walkIn"], ["channel": "patrolFinding", "recordID": "pt-1", "elementID": "f1"],
                               ["channel": "patrolFinding"]],
        FieldPath("category")!: ["sanitation", "elderlyCare"],
        FieldPath("urgency")!: ["red", "yellow", "green"],
        FieldPath("summary")!: ["楼道堆物", "路灯不亮", " "],
        FieldPath("reporter")!: ["李四", "王五"],
        FieldPath("reportedAt")!: ["2026-11-24T09:05:00.000Z", "2026-11-25T15:00:00.000Z"],
        FieldPath("state")!: ["reported", "accepted", "dispatched", "handling", "handled", "verified", "closed", "returned", "rejected"],
        FieldPath("assignee")!: [["level": "community"], ["level": "street", "department": "城管"], .null],
        FieldPath("handlingNotes")!: ["已清理", .null],
        FieldPath("feedback")!: [["satisfaction": "satisfied"], ["satisfaction": "dissatisfied", "comment": "处理太慢"], .null],
        FieldPath("photos/ph1")!: [["id": "ph1", "uri": "photo://wo/ph1.jpg"]],
    ])
}
