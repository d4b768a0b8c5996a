import Foundation
import GridSyncCore
import GridSyncProtocol
import Hummingbird

/// How admin views show personal data: masked (``PersonalDataMask``) unless the caller asks
/// `reveal=true`, which needs the admin role and is audited under its own action, so that
/// every look at a whole household is on record. `Protocol/README.md`, "Admin: households".
enum PersonalDataView {
    /// Whether the request asks to reveal: `reveal=true`; anything else but `false` is refused.
    static func reveal(_ request: Request) throws -> Bool {
        switch request.uri.queryParameters["reveal"].map(String.init) {
        case nil, "false": return false
        case "true": return true
        default: throw APIError.invalid("reveal is true or false", field: "reveal")
        }
    }

    static func holdsPersonalData(_ kind: RecordKind) -> Bool { kind == .household }

    /// The comparisons with every value and candidate masked.
    static func masked(_ fields: [FieldComparison], of kind: RecordKind) -> [FieldComparison] {
        fields.map { field in
            var field = field
            field.value = field.value.map { PersonalDataMask.mask($0, at: field.field, of: kind) }
            field.candidates = field.candidates?.mapValues { PersonalDataMask.mask($0, at: field.field, of: kind) }
            return field
        }
    }
}
