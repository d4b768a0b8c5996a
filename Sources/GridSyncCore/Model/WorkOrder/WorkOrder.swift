import Foundation

/// A work order (工单): one citizen request (诉求) or incident (事件) carried round the closed
/// loop, from report to feedback.
///
/// Its `state` moves only along ``WorkOrderState/transitions``, and every move appends one
/// ``WorkOrderAction`` in the same change (see ``Workflow``). Everything else merges like any
/// record: a department's handling notes and a worker's photos merge with a move, and two
/// different concurrent moves stand side by side as a workflow conflict for the command centre.
/// A work order is never deleted: a case that is not one is rejected, and stays on record.
public struct WorkOrder: SyncedRecord {
    public var id: RecordID
    public var grid: GridPath
    public var source: WorkOrderSource
    public var category: WorkOrderCategory
    public var urgency: Urgency
    public var summary: String
    /// The worker or operator who reported it.
    public var reporter: String
    /// The reporter's clock at the report: shown only. Deadlines run from the server's receipt.
    public var reportedAt: Date
    public var state: WorkOrderState
    public var assignee: Assignee?
    /// The timeline, oldest first by the movers' clocks (display only).
    public var actions: [WorkOrderAction]
    public var handlingNotes: String?
    public var photos: [PhotoReference]
    public var feedback: CitizenFeedback?

    public init(
        id: RecordID, grid: GridPath, source: WorkOrderSource, category: WorkOrderCategory, urgency: Urgency,
        summary: String, reporter: String, reportedAt: Date, state: WorkOrderState, assignee: Assignee? = nil,
        actions: [WorkOrderAction] = [], handlingNotes: String? = nil, photos: [PhotoReference] = [], feedback: CitizenFeedback? = nil
    ) {
        self.id = id
        self.grid = grid
        self.source = source
        self.category = category
        self.urgency = urgency
        self.summary = summary
        self.reporter = reporter
        self.reportedAt = reportedAt
        self.state = state
        self.assignee = assignee
        self.actions = actions
        self.handlingNotes = handlingNotes
        self.photos = photos
        self.feedback = feedback
    }

    public static let localIndex = LocalIndexFields(worker: "reporter", day: "reportedAt")

    /// The loop's rules, checked by the server on every push and by the handset before it
    /// queues a move.
    public static let workflow = Workflow(
        stateProperty: "state", actionsProperty: "actions", initial: WorkOrderState.reported.rawValue,
        transitions: Dictionary(uniqueKeysWithValues: WorkOrderState.transitions.map { ($0.key.rawValue, Set($0.value.map(\.rawValue))) }))

    public static let schema = RecordSchema(.workOrder, [
        .register("grid", GridField.self),
        .register("source", WorkOrderSource.self),
        .register("category", WorkOrderCategory.self),
        .register("urgency", Urgency.self),
        .register("summary", CaseSummary.self),
        .register("reporter", WorkerName.self),
        .register("reportedAt", Date.self),
        .register("state", WorkOrderState.self),
        .register("assignee", Assignee.self, required: false),
        .collection("actions", WorkOrderAction.self, appendOnly: true, sortedBy: "at", maximumCount: 200),
        .register("handlingNotes", String.self, required: false),
        .collection("photos", PhotoReference.self, appendOnly: true, maximumCount: 50),
        .register("feedback", CitizenFeedback.self, required: false),
    ], workflow: workflow, sinceProtocolVersion: 2)

    public func validate(at field: String = "workOrder") throws {
        try source.validate(at: "source")
        try CaseSummary(summary).validate(at: "summary")
        try WorkerName(reporter).validate(at: "reporter")
        try assignee?.validate(at: "assignee")
        try TextRule.checkCount(actions.count, at: "actions", maximum: 200)
        for action in actions { try action.validate(at: "actions/\(action.id)") }
        try handlingNotes?.validate(at: "handlingNotes")
        try TextRule.checkCount(photos.count, at: "photos", maximum: 50)
        for photo in photos { try photo.validate(at: "photos/\(photo.id)") }
        try feedback?.validate(at: "feedback")
    }
}

/// A work order's summary as written: required text of at most 2,000 characters, checked per
/// field so that a blank one is refused when written, not found later on the merged record.
struct CaseSummary: Decodable, Validatable {
    let text: String

    init(_ text: String) { self.text = text }

    init(from decoder: any Decoder) throws {
        text = try decoder.singleValueContainer().decode(String.self)
    }

    func validate(at field: String) throws {
        try TextRule.check(text, at: field, maximum: 2_000, required: true)
    }
}
