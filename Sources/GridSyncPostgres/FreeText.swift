/// PostgreSQL text cannot hold U+0000, which JSON can carry and SQLite keeps. Free text an
/// operator or a handset typed (names, reasons, versions) is stored with U+FFFD in its place,
/// rather than failing the request; identifiers never reach here with one, as the protocol
/// refuses them.
enum FreeText {
    static func storable(_ text: String) -> String {
        text.contains("\u{0}") ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }
}
