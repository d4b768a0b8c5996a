import Foundation
import GridSyncServer
import Yams

/// The `--deadlines` file: per urgency, how long each step of a work order may take.
///
/// ```yaml
/// nearlyDue: 0.75          # a step is nearly due once this share of its time has gone
/// red:    {accept: 15m, dispatch: 30m, onSite: 1h, answer: 24h}
/// yellow: {accept: 1h, dispatch: 2h, onSite: 4h, answer: 72h}
/// green:  {accept: 4h, dispatch: 8h, onSite: 24h, answer: 7d}
/// ```
struct DeadlinePolicyFile: Decodable {
    var nearlyDue: Double?
    var red: [String: String]?
    var yellow: [String: String]?
    var green: [String: String]?

    static func load(_ path: String) throws -> DeadlinePolicy {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let file = try YAMLDecoder().decode(DeadlinePolicyFile.self, from: text)
        var windows: [String: [String: String]] = [:]
        if let red = file.red { windows["red"] = red }
        if let yellow = file.yellow { windows["yellow"] = yellow }
        if let green = file.green { windows["green"] = green }
        return try DeadlinePolicy.parse(windows: windows, nearlyDue: file.nearlyDue)
    }
}
