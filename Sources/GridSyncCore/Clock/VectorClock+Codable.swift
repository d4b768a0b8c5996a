/// The wire form is a JSON object from replica id to counter, `{"dev-0042":3,"server":1}`.
/// Encoders in this project sort keys, so one history always has one byte form.
extension VectorClock: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode([String: UInt64].self)
        var counters: [ReplicaID: UInt64] = [:]
        for (key, value) in raw {
            guard let replica = ReplicaID(key) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "clock key is not a replica id")
            }
            guard value <= Dot.maximumCounter else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "clock counters are at most 2^53-1")
            }
            counters[replica] = value
        }
        self.init(counters)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Dictionary(uniqueKeysWithValues: counters.map { ($0.key.rawValue, $0.value) }))
    }
}

extension VectorClock: CustomStringConvertible {
    public var description: String {
        "[" + counters.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ", ") + "]"
    }
}
