/// Why a record or change was refused, precise enough for a terminal to show and a script to match.
///
/// Messages name the field and the rule, never the offending value: the value may be an ID
/// number or a phone, and household personal data must not reach logs or error envelopes.
public struct ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable reason. New codes can be added without breaking callers.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let missing = Code(rawValue: "missing_field")
        public static let wrongType = Code(rawValue: "wrong_type")
        public static let unknownField = Code(rawValue: "unknown_field")
        public static let malformedGridPath = Code(rawValue: "malformed_grid_path")
        public static let coordinateOutOfRange = Code(rawValue: "coordinate_out_of_range")
        public static let malformedIDNumber = Code(rawValue: "malformed_id_number")
        public static let malformedPhone = Code(rawValue: "malformed_phone")
        public static let endBeforeStart = Code(rawValue: "end_before_start")
        public static let tooLong = Code(rawValue: "text_too_long")
        public static let tooMany = Code(rawValue: "collection_too_large")
        public static let malformedID = Code(rawValue: "malformed_id")
        public static let malformedClock = Code(rawValue: "malformed_clock")
        public static let immutableElement = Code(rawValue: "immutable_element")
        public static let outOfRange = Code(rawValue: "out_of_range")
        /// A live record without a required property: a creation that leaves one out, or a write
        /// that brings back a deleted record without restoring it.
        public static let incompleteRecord = Code(rawValue: "incomplete_record")
        /// A write under a replica id the pushing device never held.
        public static let foreignReplica = Code(rawValue: "foreign_replica")
        /// A change claims to have seen another replica's write that the record never held.
        public static let unknownDot = Code(rawValue: "unknown_dot")
        /// A field value nested too deeply or too large (`FieldValueBounds`).
        public static let valueTooLarge = Code(rawValue: "value_too_large")
        /// The record's stored state would be larger than `FieldValueBounds.maximumRecordBytes`.
        public static let recordTooLarge = Code(rawValue: "record_too_large")
        /// A write under a dot the record has already seen with another value: a reused counter.
        public static let reusedDot = Code(rawValue: "reused_dot")
        /// The record's clock would name more replicas than the protocol allows.
        public static let tooManyReplicas = Code(rawValue: "too_many_replicas")
        /// A move of a record's state machine that is not legal from the state it replaces
        /// (``Workflow``), or a change that breaks how moves are written.
        public static let illegalTransition = Code(rawValue: "illegal_transition")
    }

    public let code: Code
    /// The field path the rule applies to, such as `members/3f2a…` or `end`.
    public let field: String
    public let message: String

    public init(_ code: Code, field: String, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { "\(code.rawValue) at \(field): \(message)" }
}
