import Foundation

/// A worker's log of one day (走访日志): entries are only ever appended, the summary is edited.
public struct VisitLog: SyncedRecord {
    public var id: RecordID
    public var grid: GridPath
    public var worker: String
    public var day: CalendarDay
    public var entries: [LogEntry]
    public var summary: String?

    public init(id: RecordID, grid: GridPath, worker: String, day: CalendarDay, entries: [LogEntry] = [], summary: String? = nil) {
        self.id = id
        self.grid = grid
        self.worker = worker
        self.day = day
        self.entries = entries
        self.summary = summary
    }

    public static let localIndex = LocalIndexFields(worker: "worker", day: "day")

    public static let schema = RecordSchema(.visitLog, [
        .register("grid", GridField.self),
        .register("worker", WorkerName.self),
        .register("day", CalendarDay.self),
        .collection("entries", LogEntry.self, appendOnly: true, sortedBy: "at", maximumCount: 500),
        .register("summary", String.self, required: false),
    ])

    public func validate(at field: String = "visitLog") throws {
        try WorkerName(worker).validate(at: "worker")
        try TextRule.checkCount(entries.count, at: "entries", maximum: 500)
        for entry in entries { try entry.validate(at: "entries/\(entry.id)") }
        try summary?.validate(at: "summary")
    }
}

/// One line of a day's log.
public struct LogEntry: Codable, Sendable, Hashable, Validatable, Identified {
    public var id: RecordID
    public var at: Date
    public var text: String

    public init(id: RecordID, at: Date, text: String) {
        self.id = id
        self.at = at
        self.text = text
    }

    public func validate(at field: String) throws {
        try TextRule.check(text, at: field + ".text", maximum: 4_000, required: true)
    }
}
