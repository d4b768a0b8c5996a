import Foundation

/// Writes record states and changes as the same JSON their `Codable` forms produce, by hand.
///
/// Every pushed change re-encodes its record inside the server's single write transaction, and
/// every handset edit encodes a state and a change; Foundation's general-purpose encoder was a
/// fifth of that time. Decoding still uses `JSONDecoder`, and tests check the two agree.
public enum CompactJSON {
    public static func encode(_ state: RecordState) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(512)
        out.append(UInt8(ascii: "{"))
        key("entries", &out)
        out.append(UInt8(ascii: "{"))
        // Sorted throughout, so one state has one byte form: a digest of the bytes is a digest
        // of the state.
        for (index, (path, values)) in state.entries.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            key(path.rawValue, &out)
            out.append(UInt8(ascii: "{"))
            for (valueIndex, (dot, value)) in values.sorted(by: { $0.key < $1.key }).enumerated() {
                if valueIndex > 0 { out.append(UInt8(ascii: ",")) }
                key(dot.description, &out)
                write(value, &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: Array("},".utf8))
        key("context", &out)
        out.append(contentsOf: Array("{".utf8))
        key("compact", &out)
        write(state.context.compact, &out)
        if !state.context.cloud.isEmpty {
            out.append(UInt8(ascii: ","))
            key("cloud", &out)
            out.append(UInt8(ascii: "["))
            for (index, dot) in state.context.cloud.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                string(dot.description, &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(contentsOf: Array("},".utf8))
        key("clock", &out)
        write(state.clock, &out)
        out.append(UInt8(ascii: "}"))
        return Data(out)
    }

    /// A change in its wire form (keys in sorted order, as `WireCoding` writes them).
    public static func encode(_ change: Change) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(256)
        out.append(contentsOf: Array(#"{"clock":"#.utf8))
        write(change.clock, &out)
        out.append(contentsOf: Array(#","id":"#.utf8))
        string(change.id.rawValue, &out)
        out.append(contentsOf: Array(#","kind":"#.utf8))
        string(change.record.kind.rawValue, &out)
        out.append(contentsOf: Array(#","recordId":"#.utf8))
        string(change.record.id.rawValue, &out)
        out.append(contentsOf: Array(#","supersedes":["#.utf8))
        for (index, dot) in change.supersedes.sorted().enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            string(dot.description, &out)
        }
        out.append(contentsOf: Array(#"],"writes":{"#.utf8))
        for (index, (path, write)) in change.writes.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            key(path.rawValue, &out)
            out.append(contentsOf: Array(#"{"dot":"#.utf8))
            string(write.dot.description, &out)
            out.append(contentsOf: Array(#","value":"#.utf8))
            self.write(write.value, &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: Array("}}".utf8))
        return Data(out)
    }

    /// The clock as JSON text, for the change log.
    public static func text(_ clock: VectorClock) -> String {
        var out = [UInt8]()
        write(clock, &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func write(_ clock: VectorClock, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, (replica, counter)) in clock.counters.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            key(replica.rawValue, &out)
            out.append(contentsOf: Array(String(counter).utf8))
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func key(_ text: String, _ out: inout [UInt8]) {
        string(text, &out)
        out.append(UInt8(ascii: ":"))
    }

    public static func write(_ value: FieldValue, _ out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: Array("null".utf8))
        case .bool(let bool): out.append(contentsOf: Array((bool ? "true" : "false").utf8))
        case .number(let number):
            if number.rounded() == number, abs(number) < 9_007_199_254_740_992 {
                out.append(contentsOf: Array(String(Int64(number)).utf8))
            } else if number.isFinite {
                out.append(contentsOf: Array("\(number)".utf8))
            } else {
                out.append(contentsOf: Array("null".utf8))
            }
        case .string(let text): string(text, &out)
        case .array(let array):
            out.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(element, &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            // Sorted, so equal values always have equal bytes (digests and displays rely on it).
            for (index, (name, element)) in object.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                key(name, &out)
                write(element, &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string: quotes, backslashes and control characters escaped, the rest as UTF-8.
    public static func string(_ text: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
