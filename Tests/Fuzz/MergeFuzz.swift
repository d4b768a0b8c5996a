// libFuzzer target: the join of two record states decoded from the input (split at its first
// newline). Invariants: decoding and joining never crash; the join is commutative and
// idempotent, and joining the result with either side again changes nothing.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMerge(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(bytes: data, count: size)
    let split = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
    guard let a = try? FieldValueCoding.decodeJSON(RecordState.self, from: bytes[bytes.startIndex..<split]),
          let b = try? FieldValueCoding.decodeJSON(RecordState.self, from: split < bytes.endIndex ? bytes[(split + 1)...] : Data("{\"entries\":{},\"context\":{}}".utf8))
    else { return 0 }
    // A dot names one write. Two states that give one dot different values (or put it in
    // different fields) cannot both be true; the join keeps whichever it holds already, so it
    // is commutative only for consistent states, and the server refuses the inconsistent one
    // (`reused_dot`) before it ever reaches a join.
    var written: [Dot: (FieldPath, FieldValue)] = [:]
    for state in [a, b] {
        for (path, values) in state.entries {
            for (dot, value) in values {
                if let seen = written[dot], seen.0 != path || seen.1 != value { return 0 }
                written[dot] = (path, value)
            }
        }
    }
    let ab = a.merged(with: b), ba = b.merged(with: a)
    guard ab.entries == ba.entries, ab.context == ba.context, ab.clock == ba.clock else { fatalError("the join is not commutative") }
    guard ab.merged(with: ab) == ab, ab.merged(with: a) == ab, ab.merged(with: b) == ab else { fatalError("the join is not idempotent") }
    _ = (ab.isInConflict, ab.conflictingFields, ab.hasDeleteConflict)
    return 0
}
