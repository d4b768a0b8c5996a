// libFuzzer target: decoding a change and a push request from bytes, as the server does.
//
// Invariants: decoding never crashes; a decoded change validates or throws a ValidationError
// (never anything else); it re-encodes to a change that decodes equal.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChangeDecoding(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(bytes: data, count: size)
    if let change = try? FieldValueCoding.decodeJSON(Change.self, from: bytes) {
        do {
            try change.validate()
        } catch is ValidationError {
        } catch {
            fatalError("validation threw something other than a ValidationError: \(error)")
        }
        let encoded = CompactJSON.encode(change)
        guard let again = try? FieldValueCoding.decodeJSON(Change.self, from: encoded) else { fatalError("an encoded change did not decode") }
        guard again.id == change.id, again.record == change.record, again.clock == change.clock,
              Set(again.supersedes) == Set(change.supersedes), again.writes == change.writes else {
            fatalError("a change did not survive re-encoding")
        }
    }
    struct Push: Decodable { let changes: [Change] }
    _ = try? FieldValueCoding.decodeJSON(Push.self, from: bytes)
    return 0
}
