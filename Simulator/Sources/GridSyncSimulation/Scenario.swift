import Foundation
import GridSyncServer
import Yams

/// A day in a district, as a YAML file under `Simulator/Scenarios/`. Every number has a
/// default modelled on DOMAIN.md: 910 terminals in 9 streets, two patrols a day.
public struct Scenario: Codable, Sendable, Hashable {
    public var name = "district"
    public var district = "futian"
    /// Several districts of one city, each laid out as `streets` × `communitiesPerStreet`
    /// (workers dealt out in turn); `nil` is `district` alone.
    public var districts: [String]?
    public var terminals = 910
    public var streets = 9
    public var communitiesPerStreet = 10
    /// The share of terminals held by sunk-down cadres, who share a grid worker's households.
    public var cadreShare = 0.11
    public var householdsPerGrid = 10
    public var rounds = 2
    public var perRound = PerRound()
    /// Chance that a cadre's household edit touches `notes`, the field the grid worker edits too.
    public var sharedFieldRate = 0.5
    /// Share of terminals that miss the first round's sync (basement, old building).
    public var offlineShare = 0.1
    /// Handset clocks are off by up to this many hours either way.
    public var clockSkewHours = 24.0
    /// Share of terminals re-installed mid-day: outbox exported, wiped, enrolled afresh, imported.
    public var reinstallShare = 0.01
    /// Every terminal starts its end-of-round sync within this window.
    public var stormWindowSeconds = 1.0
    /// Grids that get the hostile and unlucky mix (`UnluckyDay`): a refused change mid-outbox,
    /// a delete conflict settled by ops, a revival. Zero leaves the day as it was.
    public var unluckyGrids = 0
    /// Close each terminal's client between uses (its app is not always running) and bound how
    /// many are open in a storm. `nil`: only for days of more than 2,000 terminals, which could
    /// not keep every replica file open at once.
    public var closeIdleClients: Bool?
    public var faults = Faults()
    /// Work orders (工单) a day brings; zero leaves the day without them.
    public var workOrders = WorkOrderLoad()
    /// Connections the terminals share to the server at most. A real fleet has one each; the
    /// default keeps a laptop's run gentle, a storm scenario raises it so the server sees the
    /// concurrency it would.
    public var connections = 64
    /// How long a terminal waits for an answer before it counts the request as lost.
    public var requestTimeoutSeconds = 120.0
    /// The embedded server's admission (`--max-concurrent-pushes`, `--max-concurrent-pulls`,
    /// `--queue-target`); absent: the server's defaults.
    public var admission: Admission?
    /// Photos on findings and work orders, and cuts of their uploads.
    public var photos = PhotoLoad()
    /// Deletions, a month's purge and an erasure at the end of the day (``LifecycleDay``).
    public var lifecycle = Lifecycle()

    public struct Lifecycle: Codable, Sendable, Hashable {
        /// Households their grid workers delete after the rounds.
        public var deletions = 0
        /// Households ops erase on request (0 or 1).
        public var erasures = 0
        /// Of the deletions in grids a cadre shares, the share whose cadre is away meanwhile
        /// and edits the household offline: a late change that must not bring it back.
        public var awayShare = 0.5
        public init() {}

        public init(from decoder: any Decoder) throws {
            self.init()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            deletions = try container.decodeIfPresent(Int.self, forKey: .deletions) ?? deletions
            erasures = try container.decodeIfPresent(Int.self, forKey: .erasures) ?? erasures
            awayShare = try container.decodeIfPresent(Double.self, forKey: .awayShare) ?? awayShare
        }

        public var any: Bool { deletions > 0 || erasures > 0 }
    }

    public struct Admission: Codable, Sendable, Hashable {
        public var pushSlots: Int?
        public var pullSlots: Int?
        public var queueTargetSeconds: Double?
    }

    /// The closed loop's share of the day (DOMAIN.md: one district, about 300 orders a day).
    public struct WorkOrderLoad: Codable, Sendable, Hashable {
        public var perDay = 0
        /// Minor items the worker fixes on the spot (巡办合一): reported, handled, verified and
        /// closed in one visit. The rest are reported for dispatch (巡办分离).
        public var onSpotShare = 0.6
        /// Of the dispatched ones, the share where the worker handles the case on site while
        /// the command centre sends it back: a workflow conflict the ledger predicts.
        public var concurrentShare = 0.05
        /// The server's deadline policy for the day, per colour and step (`--deadlines`, as
        /// `red: {onSite: 1h}`); `nil` keeps the standard one. A day that runs in a minute
        /// shrinks them to seconds, so that some orders fall overdue while it runs.
        public var deadlines: [String: [String: String]]?
        public init() {}

        public init(from decoder: any Decoder) throws {
            self.init()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            perDay = try container.decodeIfPresent(Int.self, forKey: .perDay) ?? perDay
            onSpotShare = try container.decodeIfPresent(Double.self, forKey: .onSpotShare) ?? onSpotShare
            concurrentShare = try container.decodeIfPresent(Double.self, forKey: .concurrentShare) ?? concurrentShare
            deadlines = try container.decodeIfPresent([String: [String: String]].self, forKey: .deadlines)
        }
    }

    public struct PerRound: Codable, Sendable, Hashable {
        public var trackPointBatches = 4
        public var trackPointsPerBatch = 5
        public var findings = 1
        public var visits = 5
        public var householdEdits = 3
        public var logEntries = 1
        public init() {}

        public init(from decoder: any Decoder) throws {
            self.init()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            trackPointBatches = try container.decodeIfPresent(Int.self, forKey: .trackPointBatches) ?? trackPointBatches
            trackPointsPerBatch = try container.decodeIfPresent(Int.self, forKey: .trackPointsPerBatch) ?? trackPointsPerBatch
            findings = try container.decodeIfPresent(Int.self, forKey: .findings) ?? findings
            visits = try container.decodeIfPresent(Int.self, forKey: .visits) ?? visits
            householdEdits = try container.decodeIfPresent(Int.self, forKey: .householdEdits) ?? householdEdits
            logEntries = try container.decodeIfPresent(Int.self, forKey: .logEntries) ?? logEntries
        }
    }

    public struct Faults: Codable, Sendable, Hashable {
        public var dropRequest = 0.0
        public var dropResponse = 0.0
        public var truncate = 0.0
        public var delay = 0.0
        public var delayMilliseconds = 50
        /// Server restarts in the middle of the last storm (embedded server only).
        public var serverRestarts = 0
        public init() {}

        public init(from decoder: any Decoder) throws {
            self.init()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            dropRequest = try container.decodeIfPresent(Double.self, forKey: .dropRequest) ?? dropRequest
            dropResponse = try container.decodeIfPresent(Double.self, forKey: .dropResponse) ?? dropResponse
            truncate = try container.decodeIfPresent(Double.self, forKey: .truncate) ?? truncate
            delay = try container.decodeIfPresent(Double.self, forKey: .delay) ?? delay
            delayMilliseconds = try container.decodeIfPresent(Int.self, forKey: .delayMilliseconds) ?? delayMilliseconds
            serverRestarts = try container.decodeIfPresent(Int.self, forKey: .serverRestarts) ?? serverRestarts
        }

        public var any: Bool { dropRequest + dropResponse + truncate + delay > 0 || serverRestarts > 0 }

        /// The fault mix `--faults` turns on.
        public static var standard: Faults {
            var faults = Faults()
            faults.dropRequest = 0.03
            faults.dropResponse = 0.03
            faults.truncate = 0.01
            faults.delay = 0.02
            faults.serverRestarts = 1
            return faults
        }
    }

    public init() {}

    /// Reads a scenario; keys left out keep their defaults.
    public static func load(_ path: String) throws -> Scenario {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try YAMLDecoder().decode(Scenario.self, from: text)
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? name
        district = try container.decodeIfPresent(String.self, forKey: .district) ?? district
        districts = try container.decodeIfPresent([String].self, forKey: .districts)
        terminals = try container.decodeIfPresent(Int.self, forKey: .terminals) ?? terminals
        streets = try container.decodeIfPresent(Int.self, forKey: .streets) ?? streets
        communitiesPerStreet = try container.decodeIfPresent(Int.self, forKey: .communitiesPerStreet) ?? communitiesPerStreet
        cadreShare = try container.decodeIfPresent(Double.self, forKey: .cadreShare) ?? cadreShare
        householdsPerGrid = try container.decodeIfPresent(Int.self, forKey: .householdsPerGrid) ?? householdsPerGrid
        rounds = try container.decodeIfPresent(Int.self, forKey: .rounds) ?? rounds
        perRound = try container.decodeIfPresent(PerRound.self, forKey: .perRound) ?? perRound
        sharedFieldRate = try container.decodeIfPresent(Double.self, forKey: .sharedFieldRate) ?? sharedFieldRate
        offlineShare = try container.decodeIfPresent(Double.self, forKey: .offlineShare) ?? offlineShare
        clockSkewHours = try container.decodeIfPresent(Double.self, forKey: .clockSkewHours) ?? clockSkewHours
        reinstallShare = try container.decodeIfPresent(Double.self, forKey: .reinstallShare) ?? reinstallShare
        stormWindowSeconds = try container.decodeIfPresent(Double.self, forKey: .stormWindowSeconds) ?? stormWindowSeconds
        unluckyGrids = try container.decodeIfPresent(Int.self, forKey: .unluckyGrids) ?? unluckyGrids
        closeIdleClients = try container.decodeIfPresent(Bool.self, forKey: .closeIdleClients)
        faults = try container.decodeIfPresent(Faults.self, forKey: .faults) ?? faults
        workOrders = try container.decodeIfPresent(WorkOrderLoad.self, forKey: .workOrders) ?? workOrders
        connections = try container.decodeIfPresent(Int.self, forKey: .connections) ?? connections
        requestTimeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .requestTimeoutSeconds) ?? requestTimeoutSeconds
        admission = try container.decodeIfPresent(Admission.self, forKey: .admission)
        photos = try container.decodeIfPresent(PhotoLoad.self, forKey: .photos) ?? photos
        lifecycle = try container.decodeIfPresent(Lifecycle.self, forKey: .lifecycle) ?? lifecycle
    }
}

extension AdmissionPolicy {
    /// A scenario's admission, the server's defaults where it is silent.
    init(_ admission: Scenario.Admission) {
        let standard = AdmissionPolicy()
        self.init(pushSlots: admission.pushSlots ?? standard.pushSlots, pullSlots: admission.pullSlots ?? standard.pullSlots,
                  queueTarget: admission.queueTargetSeconds.map { .milliseconds(Int64($0 * 1_000)) } ?? standard.queueTarget)
    }
}
