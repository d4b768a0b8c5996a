/// What applying one change did to a record's state.
///
/// `rejected` is not here: refusing a change (bad field, out of scope) is the server's decision,
/// made before the merge ever sees it.
public enum MergeOutcome: String, Sendable, Codable, CaseIterable {
    /// The writer had seen everything the record had: a fast-forward.
    case applied
    /// Concurrent with other edits, but to other fields: both kept, no conflict.
    case merged
    /// Already included: a duplicate, or a value some later write replaced.
    case stale
    /// Concurrent with an edit of the same field, or a delete against an edit: siblings kept.
    case conflict
}
