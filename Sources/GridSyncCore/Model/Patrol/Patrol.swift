import Foundation

/// One patrol (巡查) of a grid: who walked it, when, the GPS track, and what they found.
///
/// Track points, findings and photo references are append-only, so a supervisor annotating
/// while the worker is still appending never produces a conflict.
public struct Patrol: SyncedRecord {
    public var id: RecordID
    public var grid: GridPath
    public var worker: String
    public var startedAt: Date
    public var endedAt: Date?
    public var trackPoints: [TrackPoint]
    public var findings: [Finding]
    public var photos: [PhotoReference]

    public init(
        id: RecordID, grid: GridPath, worker: String, startedAt: Date, endedAt: Date? = nil,
        trackPoints: [TrackPoint] = [], findings: [Finding] = [], photos: [PhotoReference] = []
    ) {
        self.id = id
        self.grid = grid
        self.worker = worker
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.trackPoints = trackPoints
        self.findings = findings
        self.photos = photos
    }

    public static let localIndex = LocalIndexFields(worker: "worker", day: "startedAt")

    public static let schema = RecordSchema(.patrol, [
        .register("grid", GridField.self),
        .register("worker", WorkerName.self),
        .register("startedAt", Date.self),
        .register("endedAt", Date.self, required: false),
        .collection("trackPoints", TrackPoint.self, appendOnly: true, sortedBy: "recordedAt", maximumCount: 20_000),
        .collection("findings", Finding.self, appendOnly: true, sortedBy: "reportedAt", maximumCount: 200),
        .collection("photos", PhotoReference.self, appendOnly: true, maximumCount: 500),
    ], crossFieldRules: ["startedAt", "endedAt"])

    public func validate(at field: String = "patrol") throws {
        try WorkerName(worker).validate(at: "worker")
        if let endedAt, endedAt < startedAt {
            throw ValidationError(.endBeforeStart, field: "endedAt", "a patrol cannot end before it starts")
        }
        try TextRule.checkCount(trackPoints.count, at: "trackPoints", maximum: 20_000)
        try TextRule.checkCount(findings.count, at: "findings", maximum: 200)
        try TextRule.checkCount(photos.count, at: "photos", maximum: 500)
        for point in trackPoints { try point.validate(at: "trackPoints/\(point.id)") }
        for finding in findings { try finding.validate(at: "findings/\(finding.id)") }
        for photo in photos { try photo.validate(at: "photos/\(photo.id)") }
    }
}

/// A WGS-84 position.
public struct Coordinate: Codable, Sendable, Hashable, Validatable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    public func validate(at field: String) throws {
        try IdentityRules.checkCoordinate(latitude: latitude, longitude: longitude, at: field)
    }
}

/// One fix of the patrol's GPS track.
public struct TrackPoint: Codable, Sendable, Hashable, Validatable, Identified {
    public var id: RecordID
    public var position: Coordinate
    public var recordedAt: Date

    public init(id: RecordID, position: Coordinate, recordedAt: Date) {
        self.id = id
        self.position = position
        self.recordedAt = recordedAt
    }

    public func validate(at field: String) throws {
        try position.validate(at: field + ".position")
    }
}
