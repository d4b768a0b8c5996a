import GridSyncCore

/// The simulator's own account of who edited which household field when, and what each editor
/// had seen: the oracle the server's conflicts are checked against.
///
/// It never looks at dots or clocks. Knowledge follows the simulated day: a terminal has seen
/// every edit made visible at or before the last settle it took part in, plus its own.
struct EditLedger {
    struct Edit {
        let sequence: Int
        /// The worker's name: the same across a re-install.
        let lineage: String
        let record: RecordKey
        let field: FieldPath
        let value: FieldValue
        /// The settle after which everyone has seen it; `nil` until its author syncs.
        var visibleFrom: Int?
        /// The last settle the author had taken part in when editing.
        let knownSettle: Int
    }

    private(set) var edits: [Edit] = []
    private var unsent: [String: [Int]] = [:]
    /// Edit positions per field, so a worker's "is this under review?" is not a scan of the day.
    private var byField: [FieldKey: [Int]] = [:]

    mutating func record(lineage: String, record: RecordKey, field: FieldPath, value: FieldValue, knownSettle: Int) {
        let index = edits.count
        edits.append(Edit(sequence: index, lineage: lineage, record: record, field: field, value: value, visibleFrom: nil, knownSettle: knownSettle))
        byField[FieldKey(record: record, field: field), default: []].append(index)
        unsent[lineage, default: []].append(index)
    }

    /// The lineage's edits so far reached the server; everyone sees them after settle `settle`.
    mutating func pushed(lineage: String, visibleFrom settle: Int) {
        for index in unsent.removeValue(forKey: lineage) ?? [] { edits[index].visibleFrom = settle }
    }

    /// Fields that must be in conflict: their surviving edits (those no later edit of the same
    /// field had seen) disagree.
    func expectedConflicts() -> Set<FieldKey> {
        var byField: [FieldKey: [Edit]] = [:]
        for edit in edits { byField[FieldKey(record: edit.record, field: edit.field), default: []].append(edit) }
        var conflicts = Set<FieldKey>()
        for (key, fieldEdits) in byField {
            let survivors = fieldEdits.filter { edit in
                !fieldEdits.contains { later in later.sequence != edit.sequence && Self.saw(later, edit) }
            }
            if Set(survivors.map(\.value)).count > 1 { conflicts.insert(key) }
        }
        return conflicts
    }

    /// Whether `later`'s author had seen `earlier` when making `later`.
    static func saw(_ later: Edit, _ earlier: Edit) -> Bool {
        if earlier.lineage == later.lineage { return earlier.sequence < later.sequence }
        guard let visible = earlier.visibleFrom else { return false }
        return visible <= later.knownSettle
    }

    /// Whether `lineage`, knowing up to `knownSettle`, sees `field` of `record` in conflict:
    /// the handset then refuses to edit it, and so does the simulated worker.
    func looksContested(_ record: RecordKey, _ field: FieldPath, lineage: String, knownSettle: Int) -> Bool {
        let known = (byField[FieldKey(record: record, field: field)] ?? []).map { edits[$0] }.filter {
            $0.lineage == lineage || ($0.visibleFrom.map { $0 <= knownSettle } ?? false)
        }
        let survivors = known.filter { edit in !known.contains { later in later.sequence != edit.sequence && Self.saw(later, edit) } }
        return Set(survivors.map(\.value)).count > 1
    }
}

/// One field of one record.
struct FieldKey: Hashable, Comparable, CustomStringConvertible {
    let record: RecordKey
    let field: FieldPath

    static func < (lhs: FieldKey, rhs: FieldKey) -> Bool { (lhs.record, lhs.field) < (rhs.record, rhs.field) }
    var description: String { "\(record)#\(field)" }
}
