// libFuzzer target: the JSON parser. Built with the GridSyncCore sources into one module by
// Tests/Fuzz/run.sh, so no `import GridSyncCore`.
//
// Invariants: parsing never crashes, whatever the bytes; a parsed value re-encodes (canonical
// JSON) to bytes that parse to an equal value, and re-encoding those gives the same bytes.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(bytes: data, count: size)
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    var first: [UInt8] = []
    CompactJSON.write(value, &first)
    guard let again = try? JSONParser.parse(Data(first)) else { fatalError("canonical JSON did not parse again") }
    guard again == value else { fatalError("a parsed value did not survive re-encoding") }
    var second: [UInt8] = []
    CompactJSON.write(again, &second)
    guard first == second else { fatalError("canonical JSON is not stable") }
    return 0
}
