/// Wire form: each field maps dots to values, so siblings are visible to any reader:
/// ```json
/// {"entries":{"notes":{"dev-0042:3":"moved out","dev-0107:1":"still here"}},
///  "context":{"compact":{"dev-0042":3,"dev-0107":1}},"clock":{"dev-0042":3,"dev-0107":1}}
/// ```
extension RecordState: Codable {
    private enum CodingKeys: String, CodingKey { case entries, context, clock }

    public init(from decoder: any Decoder) throws {
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
