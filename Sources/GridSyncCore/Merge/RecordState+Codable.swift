/// Wire form: each field maps dots to values, so siblings are visible to any reader:
/// ```json
/// {"entries":{"notes":{"dev-0042:3":"moved out","dev-0107:1":"still here"}},
///  "context":{"compact":{"dev-0042":3,"dev-0107":1}},"clock":{"dev-0042":3,"dev-0107":1}}
/// ```
extension RecordState: Codable {
    private enum CodingKeys: String, CodingKey { case entries, context, clock }

    public init(from decoder: any Decoder) throws {
        // Pulled pages and stored rows arrive as field values already: read them directly,
        // without a keyed container per dot.
        if let direct = decoder as? FieldValueDecoder, let state = RecordState(direct.value) {
            self = state
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let raw = try container.decode([FieldPath: [String: FieldValue]].self, forKey: .entries)
        var entries: [FieldPath: [Dot: FieldValue]] = [:]
        for (path, values) in raw {
            var byDot: [Dot: FieldValue] = [:]
            for (text, value) in values {
                guard let dot = Dot(text) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .entries, in: container, debugDescription: "entry keys are dots, replica:counter")
                }
                byDot[dot] = value
            }
            entries[path] = byDot
        }
        self.init(
            entries: entries,
            context: try container.decode(CausalContext.self, forKey: .context),
            clock: try container.decodeIfPresent(VectorClock.self, forKey: .clock) ?? .empty)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let raw = entries.mapValues { values in
            Dictionary(uniqueKeysWithValues: values.map { ($0.key.description, $0.value) })
        }
        try container.encode(raw, forKey: .entries)
        try container.encode(context, forKey: .context)
        try container.encode(clock, forKey: .clock)
    }
}

extension RecordState {
    /// The state in a JSON value of the wire form, or `nil` if the value is not one (the
    /// `Codable` path then reports precisely what is wrong).
    init?(_ value: FieldValue) {
        guard case .object(let object) = value, case .object(let rawEntries)? = object["entries"],
              case .object(let rawContext)? = object["context"] else { return nil }
        var entries: [FieldPath: [Dot: FieldValue]] = [:]
        entries.reserveCapacity(rawEntries.count)
        for (name, values) in rawEntries {
            guard let path = FieldPath(name), case .object(let byDot) = values else { return nil }
            var decoded: [Dot: FieldValue] = [:]
            for (text, fieldValue) in byDot {
                guard let dot = Dot(text) else { return nil }
                decoded[dot] = fieldValue
            }
            entries[path] = decoded
        }
        guard let compact = VectorClock(rawContext["compact"] ?? .object([:])),
              let clock = VectorClock(object["clock"] ?? .object([:])) else { return nil }
        var cloud = Set<Dot>()
        if case .array(let dots)? = rawContext["cloud"] {
            for dot in dots {
                guard let text = dot.stringValue, let parsed = Dot(text) else { return nil }
                cloud.insert(parsed)
            }
        }
        self.init(entries: entries, context: CausalContext(compact: compact, cloud: cloud), clock: clock)
    }
}

extension VectorClock {
    init?(_ value: FieldValue) {
        guard case .object(let raw) = value else { return nil }
        var counters: [ReplicaID: UInt64] = [:]
        for (key, counter) in raw {
            guard let replica = ReplicaID(key), case .number(let number) = counter,
                  let count = UInt64(exactly: number), count <= Dot.maximumCounter else { return nil }
            counters[replica] = count
        }
        self.init(counters)
    }
}
