import ArgumentParser
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol

/// `gridsync orders`: the closed loop from the command centre's desk.
struct OrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "Work orders (工单): list, show a timeline, move them on, and the loop in figures.",
        discussion: """
            A move is checked against the workflow (reported → accepted → dispatched → handling → handled → verified → closed, with returned and rejected) on the server; an illegal one is refused with illegal_transition. An order whose state is contested is settled with `gridsync conflicts resolve workOrder/<id>`.

            Examples:
              gridsync orders list --overdue --urgency red
              gridsync orders show wo-0192
              gridsync orders dispatch wo-0192 --level street --department 城管 --reason "占道经营"
              gridsync orders stats --street futian/shatou
            """,
        subcommands: [List.self, Show.self, Accept.self, Dispatch.self, Return.self, Reject.self, Close.self, Stats.self])

    /// The scope options shared by list and stats: a street, community or grid path.
    struct Area: ParsableArguments {
        @Option(help: "Only this street (a grid path).") var street: String?
        @Option(help: "Only this community.") var community: String?
        @Option(help: "Only this grid.") var grid: String?

        func under() throws -> GridPath? {
            guard let under = street ?? community ?? grid else { return nil }
            guard let path = GridPath(under) else { throw CLIError(.invalid, "'\(under)' is not a grid path such as futian/shatou") }
            return path
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List work orders, the most pressing first: overdue, then by the next deadline.",
            discussion: "Example:\n  gridsync orders list --state dispatched --assignee 城管")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var area: Area
        @Option(help: ArgumentHelp("Only this state: \(WorkOrderState.allCases.map(\.rawValue).joined(separator: ", ")).")) var state: String?
        @Option(help: "Only this colour: red, yellow or green.") var urgency: String?
        @Option(help: "Only orders with this assignee: a level (grid, community, street) or a department.") var assignee: String?
        @Flag(help: "Only orders past a deadline now.") var overdue = false

        func run() async throws {
            try await guarded {
                let client = try connection.client()
                var filter = OrderFilter(under: try area.under(), assignee: assignee, overdue: overdue)
                if let state {
                    guard let known = WorkOrderState(rawValue: state) else {
                        throw CLIError(.invalid, "unknown state '\(state)': use one of \(WorkOrderState.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    filter.state = known
                }
                if let urgency {
                    guard let known = Urgency(rawValue: urgency) else { throw CLIError(.invalid, "--urgency is red, yellow or green") }
                    filter.urgency = known
                }
                let list = try await client.orders(filter)
                if output.json { return try Output.json(list) }
                if list.orders.isEmpty { return print("no work orders match") }
                var tints: [[Output.Tint?]] = []
                let rows = list.orders.map { order -> [String] in
                    let colour: Output.Tint? = order.urgency.map { $0 == .red ? .red : $0 == .yellow ? .yellow : .green }
                    tints.append([nil, colour, order.inConflict ? .yellow : nil, nil, nil, order.overdue.isEmpty ? nil : .red, nil])
                    return [order.id.rawValue, order.urgency?.rawValue ?? "?", order.states.map(\.rawValue).joined(separator: "|"),
                            order.grids.first?.description ?? "", OrdersCommand.assignee(order.assignee),
                            OrdersCommand.due(order, now: list.asOf), Output.value(order.summary.map(FieldValue.string), limit: 32)]
                }
                Output.table(["order", "colour", "state", "grid", "assignee", "due", "summary"], rows, tints: tints)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an order and its timeline: who moved it, from what to what, when the server received it, and why.",
            discussion: "Example:\n  gridsync orders show wo-0192")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The order's id.") var order: String

        func run() async throws {
            try await guarded {
                let client = try connection.client()
                let id = try OrdersCommand.id(order)
                let detail = try await client.order(id)
                if output.json { return try Output.json(detail) }
                let order = detail.order
                print("\(order.id)  \(order.urgency?.rawValue ?? "?")  \(order.states.map(\.rawValue).joined(separator: " | "))"
                      + (order.inConflict ? "  (in conflict: gridsync conflicts show workOrder/\(order.id))" : ""))
                print("grid \(order.grids.map(\.description).joined(separator: " "))  category \(order.category?.rawValue ?? "?")  assignee \(OrdersCommand.assignee(order.assignee))")
                if let summary = order.summary { print("summary: \(summary)") }
                if let timing = detail.timing {
                    print("deadlines (server time; reported \(OrdersCommand.time(timing.reportedAt))):")
                    for step in timing.steps {
                        let status = step.metAt.map { $0 > step.dueBy ? "met late " + OrdersCommand.time($0) : "met " + OrdersCommand.time($0) }
                            ?? (detail.asOf >= step.dueBy ? Output.tint("OVERDUE", .red) : detail.asOf >= step.nearlyDueAt ? Output.tint("nearly due", .yellow) : "open")
                        print("  \(step.step.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) due \(OrdersCommand.time(step.dueBy))  \(status)")
                    }
                }
                Output.table(["received", "from", "to", "by", "reason"], detail.timeline.map { entry in
                    [entry.receivedAt.map(OrdersCommand.time) ?? "?", entry.from?.rawValue ?? "—", entry.to.rawValue, entry.by,
                     Output.value(entry.reason.map(FieldValue.string), limit: 40)]
                })
                PhotosCommand.list(detail.photoDigests ?? [])
            }
        }
    }

    /// The options of every move.
    struct MoveOptions: ParsableArguments {
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The order's id.") var order: String
        @Option(help: "Why; recorded in the order's timeline and the audit log.") var reason: String?
        @Option(help: "Refuse the move if the order is no longer at this version (from `orders show`); by default the order is moved as it stands, and the server checks the move is legal from there.") var version: Int64?

        func move(to state: WorkOrderState, assignee: Assignee? = nil) async throws {
            try await guarded {
                let client = try connection.client()
                let id = try OrdersCommand.id(order)
                let request = OrderMoveRequest(to: state, reason: reason, assignee: assignee, expectedVersion: version)
                let response = try await client.move(order: id, request)
                if output.json { return try Output.json(response) }
                print("\(id) is now \(response.order.states.map(\.rawValue).joined(separator: "|")) (change \(response.changeId)). Terminals in scope receive it on their next sync.")
            }
        }
    }

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accept a reported order (受理).",
            discussion: "Example:\n  gridsync orders accept wo-0192 --reason 属实")
        @OptionGroup var move: MoveOptions
        func run() async throws { try await move.move(to: .accepted) }
    }

    struct Dispatch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dispatch an order (分拨) to a level or a department.",
            discussion: "Small matters stay in the grid, big ones go to the community, hard ones to the street.\n\nExample:\n  gridsync orders dispatch wo-0192 --level community")
        @OptionGroup var move: MoveOptions
        @Option(help: "grid, community or street.") var level: String
        @Option(help: "The department that handles it (城管, 住建…).") var department: String?

        func run() async throws {
            guard let level = Assignee.Level(rawValue: level) else { throw ValidationError("--level is grid, community or street") }
            try await move.move(to: .dispatched, assignee: Assignee(level: level, department: department))
        }
    }

    struct Return: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send an order back (退回) for re-dispatch or rework.",
            discussion: "Example:\n  gridsync orders return wo-0192 --reason 非本部门职责")
        @OptionGroup var move: MoveOptions
        func run() async throws { try await move.move(to: .returned) }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reject an order that is not a valid case (不予受理).",
            discussion: "Example:\n  gridsync orders reject wo-0192 --reason 重复上报")
        @OptionGroup var move: MoveOptions
        func run() async throws { try await move.move(to: .rejected) }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close a verified order once the citizen has been answered (办结).",
            discussion: "Example:\n  gridsync orders close wo-0192 --reason 已电话回访")
        @OptionGroup var move: MoveOptions
        func run() async throws { try await move.move(to: .closed) }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The loop in figures: closure rate, where cases were resolved, median time per step, overdue by colour.",
            discussion: "Example:\n  gridsync orders stats --community futian/shatou/community-03")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var area: Area

        func run() async throws {
            try await guarded {
                let client = try connection.client()
                let stats = try await client.orderStats(under: try area.under())
                if output.json { return try Output.json(stats) }
                print("orders: \(stats.total), open \(stats.open); closure rate \(stats.closureRate.map(OrdersCommand.percent) ?? "n/a")")
                print("by state: " + OrdersCommand.counts(stats.byState))
                print("resolved at: " + stats.resolvedAt.sorted { $0.key < $1.key }.map { "\($0.key) \(OrdersCommand.percent($0.value))" }.joined(separator: ", "))
                print("median time from report: " + CaseStep.allCases.compactMap { step in
                    stats.medianSecondsToStep[step.rawValue].map { "\(step.rawValue) \(OrdersCommand.duration($0))" }
                }.joined(separator: ", "))
                print("overdue now by colour: " + OrdersCommand.counts(stats.overdueByUrgency))
                print("met a step late by colour: " + OrdersCommand.counts(stats.lateByUrgency))
                print("by domain: " + OrdersCommand.counts(stats.byCategory))
                print("by community: " + OrdersCommand.counts(stats.byCommunity))
                print("by reporter: " + OrdersCommand.counts(stats.byReporter))
            }
        }
    }

    static func id(_ text: String) throws -> RecordID {
        let raw = text.hasPrefix("workOrder/") ? String(text.dropFirst("workOrder/".count)) : text
        guard let id = RecordID(raw) else { throw CLIError(.usage, "an order id is 1-64 of letters, digits, '.', '_' and '-'") }
        return id
    }

    static func assignee(_ assignee: Assignee?) -> String {
        guard let assignee else { return "—" }
        return assignee.department.map { "\($0) (\(assignee.level.rawValue))" } ?? assignee.level.rawValue
    }

    static func due(_ order: OrderSummary, now: Date) -> String {
        if !order.overdue.isEmpty { return "OVERDUE " + order.overdue.map(\.rawValue).joined(separator: ",") }
        guard let next = order.nextDue else { return order.isOpen ? "—" : "done" }
        return "in " + duration(next.timeIntervalSince(now))
    }

    static func time(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .current).year().month().day().time(includingFractionalSeconds: false))
    }

    static func duration(_ seconds: Double) -> String {
        let minutes = Int((seconds / 60).rounded())
        if minutes < 60 { return "\(minutes)m" }
        if minutes < 48 * 60 { return "\(minutes / 60)h\(minutes % 60 == 0 ? "" : "\(minutes % 60)m")" }
        return "\(minutes / 1_440)d\((minutes % 1_440) / 60)h"
    }

    static func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }

    static func counts(_ counts: [String: Int]) -> String {
        counts.isEmpty ? "none" : counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
