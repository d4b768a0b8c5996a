/// The wire form is flat, so a change reads on one screen:
/// ```json
/// {"id":"c-81f2","kind":"household","recordId":"hh-0192","clock":{"dev-0042":3},
///  "supersedes":["dev-0042:2"],"writes":{"notes":{"dot":"dev-0042:3","value":"moved out"}}}
/// ```
extension Change: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, kind, recordId, clock, supersedes, writes
    }

    public init(from decoder: any Decoder) throws {
        // Pushes arrive as field values already: read them directly, falling back to the keyed
        // container only to report precisely what is wrong with a malformed change.
        if let direct = decoder as? FieldValueDecoder, let change = Change(direct.value) {
            self = change
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let id = try container.decode(ChangeID.self, forKey: .id)
        let record = RecordKey(
            kind: try container.decode(RecordKind.self, forKey: .kind),
            id: try container.decode(RecordID.self, forKey: .recordId))
        let clock = try container.decode(VectorClock.self, forKey: .clock)
        guard clock.counters.count <= Change.maximumClockEntries else {
            throw DecodingError.dataCorruptedError(
                forKey: .clock, in: container, debugDescription: "a clock names at most \(Change.maximumClockEntries) replicas")
        }
        let supersedes = try container.decodeIfPresent([Dot].self, forKey: .supersedes) ?? []
        guard supersedes.count <= Change.maximumSupersedes else {
            throw DecodingError.dataCorruptedError(
                forKey: .supersedes, in: container, debugDescription: "a change supersedes at most \(Change.maximumSupersedes) dots")
        }
        self.init(id: id, record: record, clock: clock, supersedes: supersedes,
                  writes: try container.decode([FieldPath: FieldWrite].self, forKey: .writes))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(record.kind, forKey: .kind)
        try container.encode(record.id, forKey: .recordId)
        try container.encode(clock, forKey: .clock)
        try container.encode(supersedes.sorted(), forKey: .supersedes)
        try container.encode(writes, forKey: .writes)
    }
}

extension Change {
    init?(_ value: FieldValue) {
        guard case .object(let object) = value,
              let id = object["id"]?.stringValue.flatMap(ChangeID.init),
              let kind = object["kind"]?.stringValue.flatMap(RecordKind.init(rawValue:)),
              let recordID = object["recordId"]?.stringValue.flatMap(RecordID.init),
              let clock = object["clock"].flatMap(VectorClock.init), clock.counters.count <= Change.maximumClockEntries,
              case .object(let rawWrites)? = object["writes"] else { return nil }
        var supersedes: [Dot] = []
        switch object["supersedes"] {
        case nil, .null?: break
        case .array(let dots)?:
            guard dots.count <= Change.maximumSupersedes else { return nil }
            for dot in dots {
                guard let parsed = dot.stringValue.flatMap(Dot.init) else { return nil }
                supersedes.append(parsed)
            }
        default: return nil
        }
        var writes: [FieldPath: FieldWrite] = [:]
        for (name, raw) in rawWrites {
            guard let path = FieldPath(name), case .object(let write) = raw, write.count == 2,
                  let dot = write["dot"]?.stringValue.flatMap(Dot.init), let fieldValue = write["value"] else { return nil }
            writes[path] = FieldWrite(dot: dot, value: fieldValue)
        }
        self.init(id: id, record: RecordKey(kind: kind, id: recordID), clock: clock, supersedes: supersedes, writes: writes)
    }

    /// Structural rules a change must meet before it may touch a record: at least one write,
    /// every write's dot by one replica and within the change's clock, nothing superseded that
    /// the clock has not seen. A change that breaks them could not have come from a replica
    /// following the protocol, and merging it could corrupt the record for everyone.
    public func checkStructure() throws {
        let ordered = writes.sorted { $0.key < $1.key }
        guard let first = ordered.first?.value.dot else {
            throw ValidationError(.missing, field: "writes", "a change writes at least one field")
        }
        for (path, write) in ordered {
            guard write.dot.replica == first.replica else {
                throw ValidationError(.malformedClock, field: path.rawValue, "all writes of a change come from one replica")
            }
            guard clock.contains(write.dot) else {
                throw ValidationError(.malformedClock, field: path.rawValue, "the change's clock must include every dot it writes")
            }
        }
        guard Set(dots).count == writes.count else {
            throw ValidationError(.malformedClock, field: "writes", "each write needs a dot of its own")
        }
        if let unseen = supersedes.first(where: { !clock.contains($0) }) {
            throw ValidationError(.malformedClock, field: "supersedes", "supersedes \(unseen), which the clock has not seen")
        }
        if let deleted = writes[.deleted], writes.count > 1, deleted.value == .bool(true) {
            throw ValidationError(.unknownField, field: "_deleted", "a delete writes nothing else")
        }
    }

    /// The replica that made this change.
    public var author: ReplicaID? { writes.min { $0.key < $1.key }?.value.dot.replica }
}
