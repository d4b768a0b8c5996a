/// What a record held just before it was deleted, kept by the server while the record stays
/// deleted, so that overruling a contested delete brings the whole record back.
///
/// Fields that were themselves in conflict when the delete came are kept with every sibling:
/// bringing one of them back is a decision, and a resolution must make it rather than drop them.
public struct DeleteSnapshot: Hashable, Sendable {
    /// Fields with one value (equal siblings count as one).
    public var agreed: [FieldPath: FieldValue]
    /// Fields whose siblings differed, with each sibling's dot.
    public var contested: [FieldPath: [Dot: FieldValue]]

    public init(agreed: [FieldPath: FieldValue] = [:], contested: [FieldPath: [Dot: FieldValue]] = [:]) {
        self.agreed = agreed
        self.contested = contested
    }

    /// The snapshot of a live state about to be deleted.
    public init(of state: RecordState) {
        var contested: [FieldPath: [Dot: FieldValue]] = [:]
        for path in state.conflictingFields { contested[path] = state.entries[path] }
        self.init(agreed: state.agreedFields, contested: contested)
    }

    /// The fields that were in conflict before the delete and that `state` no longer holds:
    /// what a resolution reviving `state` must decide. Empty once the record is live again.
    public func stillContested(in state: RecordState) -> [FieldPath: [Dot: FieldValue]] {
        guard state.isTombstoned else { return [:] }
        return contested.filter { state.entries[$0.key] == nil }
    }

    /// The snapshot to keep beside `state`: none while the record is live, the one taken when
    /// it was deleted for as long as it stays tombstoned.
    public static func kept(for state: RecordState, previous: RecordState?, previousSnapshot: DeleteSnapshot?) -> DeleteSnapshot? {
        guard state.isTombstoned else { return nil }
        guard let previous else { return nil }
        return previous.isTombstoned ? previousSnapshot : DeleteSnapshot(of: previous)
    }
}
