import Foundation
import GridSyncCore
import GridSyncProtocol

/// Printing for people and for scripts: aligned tables on a terminal, JSON with `--json`.
enum Output {
    /// Colour only on a terminal, and never when NO_COLOR is set.
    static let colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

    enum Tint: String {
        case red = "31", green = "32", yellow = "33", dim = "2", bold = "1"
    }

    static func tint(_ text: String, _ tint: Tint) -> String {
        colour ? "\u{1B}[\(tint.rawValue)m\(text)\u{1B}[0m" : text
    }

    static func json<T: Encodable>(_ value: T) throws {
        let encoder = WireCoding.makeEncoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Prints rows under a header, each column as wide as its widest cell. Chinese characters
    /// take two terminal columns, so widths count them twice.
    static func table(_ header: [String], _ rows: [[String]], tints: [[Tint?]] = []) {
        let widths = header.indices.map { column in
            ([header] + rows).map { width($0[column]) }.max() ?? 0
        }
        func line(_ cells: [String], _ rowTints: [Tint?]) -> String {
            cells.enumerated().map { index, cell in
                let padded = cell + String(repeating: " ", count: max(widths[index] - width(cell), 0))
                guard index < rowTints.count, let tint = rowTints[index] else { return padded }
                return Self.tint(padded, tint)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        print(line(header.map { $0.uppercased() }, header.map { _ in Tint.bold }))
        for (index, row) in rows.enumerated() {
            print(line(row, index < tints.count ? tints[index] : []))
        }
    }

    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            let wide = (0x1100...0x115F).contains(scalar.value) || (0x2E80...0xA4CF).contains(scalar.value)
                || (0xAC00...0xD7A3).contains(scalar.value) || (0xF900...0xFAFF).contains(scalar.value)
                || (0xFE30...0xFE4F).contains(scalar.value) || (0xFF00...0xFF60).contains(scalar.value)
            return total + (wide ? 2 : 1)
        }
    }

    /// A field value on one line: strings bare, everything else as compact JSON.
    static func value(_ value: FieldValue?, limit: Int = 48) -> String {
        guard let value else { return "—" }
        let text: String
        if case .string(let string) = value {
            text = string
        } else {
            var bytes = [UInt8]()
            CompactJSON.write(value, &bytes)
            text = String(decoding: bytes, as: UTF8.self)
        }
        return text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    /// "3m", "5h", "2d": how long ago, for lists people scan.
    static func age(since date: Date?, now: Date = Date()) -> String {
        guard let date else { return "never" }
        return duration(seconds: now.timeIntervalSince(date))
    }

    /// "40s", "3m", "5h", "2d".
    static func duration(seconds: Double) -> String {
        let seconds = max(0, Int(seconds))
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3_600: return "\(seconds / 60)m"
        case ..<86_400: return "\(seconds / 3_600)h"
        default: return "\(seconds / 86_400)d"
        }
    }

    /// A handset clock's offset from the server's: "5h ahead", "12m behind", "in step".
    static func skew(seconds: Double) -> String {
        if abs(seconds) < 2 { return "in step" }
        return duration(seconds: abs(seconds)) + (seconds > 0 ? " ahead" : " behind") + " (shown only; never used)"
    }

    /// "3.2 GB", "512 MB".
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(count), unit = 0
        while value >= 1_000 && unit < units.count - 1 { value /= 1_000; unit += 1 }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }
}
