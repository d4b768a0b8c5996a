import Foundation
import GridSyncCore
import GridSyncProtocol

extension DeadlinePolicy {
    /// Why a deadline policy file was refused; names the entry, so ops can fix the file.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// A policy from a file's entries: for each urgency (`red`, `yellow`, `green`), step
    /// (`accept`, `dispatch`, `onSite`, `answer`) → duration (`90s`, `15m`, `1h`, `7d`). Steps
    /// or urgencies left out keep the standard's. A typo is refused rather than ignored: a
    /// deadline that silently falls back is a promise to citizens nobody meant to make.
    public static func parse(windows entries: [String: [String: String]], nearlyDue: Double?) throws -> DeadlinePolicy {
        var policy = DeadlinePolicy.standard
        for (urgencyName, steps) in entries {
            guard let urgency = Urgency(rawValue: urgencyName) else {
                throw Invalid(description: "\(urgencyName) is not an urgency: use red, yellow or green")
            }
            for (stepName, text) in steps {
                guard let step = CaseStep(rawValue: stepName) else {
                    throw Invalid(description: "\(urgencyName).\(stepName) is not a step: use \(CaseStep.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard let seconds = duration(text), seconds > 0 else {
                    throw Invalid(description: "\(urgencyName).\(stepName): write a duration such as 90s, 15m, 1h or 7d")
                }
                policy.windows[urgency, default: [:]][step] = seconds
            }
        }
        if let nearlyDue {
            guard nearlyDue > 0, nearlyDue < 1 else { throw Invalid(description: "nearlyDue is a share of a step's time, between 0 and 1") }
            policy.nearlyDue = nearlyDue
        }
        return policy
    }

    /// Seconds in `90s`, `15m`, `1h` or `7d`.
    public static func duration(_ text: String) -> TimeInterval? {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard let unit = text.last, let amount = Double(text.dropLast()), amount.isFinite else { return nil }
        switch unit {
        case "s": return amount
        case "m": return amount * 60
        case "h": return amount * 3_600
        case "d": return amount * 86_400
        default: return nil
        }
    }
}
