import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol

/// What the day's work orders came to, and the loop's invariants: no order lost, no illegal
/// state stored, every predicted race detected as a workflow conflict, every order closed or
/// listed open with its deadline, and every deadline counted from the server's clock though
/// the handsets' clocks are hours off.
public struct WorkOrderFigures: Codable, Sendable, Hashable {
    public var planned = 0
    public var onServer = 0
    public var illegal = 0
    public var racesPredicted = 0
    public var racesDetected = 0
    public var racesSettled = 0
    public var closed = 0
    /// Open orders without a deadline in the command centre's list: must be zero.
    public var openWithoutDeadline = 0
    /// Orders whose deadlines do not count from the server's receipt of the report: must be zero.
    public var deadlinesOffServerClock = 0
    /// The largest gap seen between a handset's report time and the server's receipt, in
    /// hours: how wrong the handsets' clocks were that the deadlines ignored.
    public var largestHandsetSkewHours = 0.0
    public var closureRate: Double?
    public var overdueByUrgency: [String: Int] = [:]
    /// Orders that met some step after its deadline, by colour.
    public var lateByUrgency: [String: Int] = [:]
    public var medianSecondsToStep: [String: Double] = [:]
    public var notes: [String] = []

    enum CodingKeys: String, CodingKey {
        case planned, illegal, closed, notes
        case onServer = "on_server", racesPredicted = "races_predicted", racesDetected = "races_detected", racesSettled = "races_settled"
        case openWithoutDeadline = "open_without_deadline", deadlinesOffServerClock = "deadlines_off_server_clock"
        case largestHandsetSkewHours = "largest_handset_skew_hours", closureRate = "closure_rate"
        case overdueByUrgency = "overdue_by_urgency", lateByUrgency = "late_by_urgency", medianSecondsToStep = "median_seconds_to_step"
    }

    public var passed: Bool {
        onServer == planned && illegal == 0 && racesDetected == racesPredicted && openWithoutDeadline == 0 && deadlinesOffServerClock == 0
    }

    static func check(_ load: CaseLoad, server: [RecordKey: RecordState], admin: AdminClient) async throws -> WorkOrderFigures {
        var figures = WorkOrderFigures()
        let orders = load.orders
        figures.planned = orders.count
        let workflow = WorkOrder.workflow
        for order in orders {
            guard let state = server[RecordKey(kind: .workOrder, id: order.id)] else {
                if figures.notes.count < 5 { figures.notes.append("work order \(order.id) is not on the server") }
                continue
            }
            figures.onServer += 1
            if let illegal = workflow.firstIllegalMove(in: state) {
                figures.illegal += 1
                if figures.notes.count < 5 { figures.notes.append("work order \(order.id): \(illegal)") }
            }
        }
        figures.racesPredicted = await load.racesPredicted.count
        figures.racesDetected = await load.racesDetected.count
        figures.racesSettled = await load.settledRaces

        let started = load.started, ended = Date()
        let list = try await admin.orders()
        let planned = Set(orders.map(\.id))
        for summary in list.orders where planned.contains(summary.id) {
            if summary.states == [.closed] { figures.closed += 1 }
            if summary.isOpen && summary.nextDue == nil && summary.overdue.isEmpty { figures.openWithoutDeadline += 1 }
            guard let received = summary.reportedAt, received >= started.addingTimeInterval(-1), received <= ended.addingTimeInterval(1) else {
                figures.deadlinesOffServerClock += 1
                continue
            }
            if let handset = server[RecordKey(kind: .workOrder, id: summary.id)]?.agreedFields[FieldPath("reportedAt")!]?.stringValue
                .flatMap({ try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse($0) }) {
                figures.largestHandsetSkewHours = max(figures.largestHandsetSkewHours, abs(handset.timeIntervalSince(received)) / 3_600)
            }
        }
        let stats = try await admin.orderStats()
        figures.closureRate = stats.closureRate
        figures.overdueByUrgency = stats.overdueByUrgency
        figures.lateByUrgency = stats.lateByUrgency
        figures.medianSecondsToStep = stats.medianSecondsToStep
        return figures
    }
}
