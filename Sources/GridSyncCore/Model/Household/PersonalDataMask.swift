/// How the command centre sees a household without a need to know (PIPL's minimum necessary):
/// the surname, and the ends of numbers, enough to match a person on the phone with what the
/// record says, never enough to identify them from it. Revealing the whole record is an admin
/// decision, taken one record at a time and audited (`--reveal`).
public enum PersonalDataMask {
    /// `value`, the value of field `path` in a record of `kind`, as a masked view shows it.
    /// Kinds that hold no personal data come back unchanged.
    ///
    /// Masked: each member's name, ID number and phone, the values that identify a person.
    /// Kept: what the command centre decides on when it settles a conflict or dispatches
    /// (address, type, relation, care tags, notes), and every id.
    public static func mask(_ value: FieldValue, at path: FieldPath, of kind: RecordKind) -> FieldValue {
        guard kind == .household, path.property == "members" else { return value }
        return member(value)
    }

    /// `张*`, `欧**`: the first character kept, every other one starred (at least one star, so
    /// that a one-character name is not shown whole).
    public static func name(_ name: String) -> String {
        guard let first = name.first else { return "" }
        return String(first) + String(repeating: "*", count: max(name.count - 1, 1))
    }

    /// `138****0000`: the carrier prefix and the last four digits, as Chinese services print
    /// numbers. Anything shorter than eight characters is starred whole.
    public static func phone(_ phone: String) -> String {
        keepingEnds(phone, head: 3, tail: 4)
    }

    /// `110***********1234`: the province prefix and the last four characters.
    public static func idNumber(_ number: String) -> String {
        keepingEnds(number, head: 3, tail: 4)
    }

    private static func member(_ value: FieldValue) -> FieldValue {
        guard var object = value.objectValue else { return value }
        if let text = object["name"]?.stringValue { object["name"] = .string(name(text)) }
        if let text = object["idNumber"]?.stringValue { object["idNumber"] = .string(idNumber(text)) }
        if let text = object["phone"]?.stringValue { object["phone"] = .string(phone(text)) }
        return .object(object)
    }

    private static func keepingEnds(_ text: String, head: Int, tail: Int) -> String {
        guard text.count > head + tail else { return String(repeating: "*", count: text.count) }
        return String(text.prefix(head)) + String(repeating: "*", count: text.count - head - tail) + String(text.suffix(tail))
    }
}
