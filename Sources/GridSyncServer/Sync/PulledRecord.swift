import Foundation
import GridSyncCore
import GridSyncProtocol

/// One record version as a pull serves it: the envelope's facts and the state's stored bytes,
/// which the push transaction wrote once as canonical JSON. A pull splices them into the
/// response without decoding or encoding any state, so no stored value can make a page fail,
/// and the server's work per delivered record is a copy.
public struct PulledRecord: Sendable, Hashable {
    public var kind: RecordKind
    public var id: RecordID
    public var grids: [GridPath]
    public var seq: Int64
    public var inConflict: Bool
    public var deleted: Bool
    /// The record state's canonical JSON, exactly as stored.
    public var state: Data
    /// A work order's timing, exactly as stored.
    public var timing: Data?
    /// Erased (PIPL): the envelope says `"erased":true`.
    public var erased: Bool

    public init(kind: RecordKind, id: RecordID, grids: [GridPath], seq: Int64, inConflict: Bool, deleted: Bool, state: Data, timing: Data? = nil,
                erased: Bool = false) {
        self.erased = erased
        self.kind = kind
        self.id = id
        self.grids = grids
        self.seq = seq
        self.inConflict = inConflict
        self.deleted = deleted
        self.state = state
        self.timing = timing
    }

    public var key: RecordKey { RecordKey(kind: kind, id: id) }

    /// The empty state sent for a record that moved out of the device's grids.
    static let emptyState = CompactJSON.encode(RecordState())

    /// The envelope's canonical JSON (`RecordEnvelope`'s members, keys sorted).
    func append(to out: inout [UInt8]) {
        out += Array(#"{"deleted":"#.utf8)
        out += Array((deleted ? "true" : "false").utf8)
        if erased { out += Array(#","erased":true"#.utf8) }
        out += Array(#","grids":["#.utf8)
        for (index, grid) in grids.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            CompactJSON.string(grid.description, &out)
        }
        out += Array(#"],"id":"#.utf8)
        CompactJSON.string(id.rawValue, &out)
        out += Array(#","inConflict":"#.utf8)
        out += Array((inConflict ? "true" : "false").utf8)
        out += Array(#","kind":"#.utf8)
        CompactJSON.string(kind.rawValue, &out)
        out += Array(#","seq":"#.utf8)
        out += Array(String(seq).utf8)
        out += Array(#","state":"#.utf8)
        out += state
        if let timing {
            out += Array(#","timing":"#.utf8)
            out += timing
        }
        out.append(UInt8(ascii: "}"))
    }
}

/// What a store found for one pull page.
public struct PulledRecords: Sendable {
    public var records: [PulledRecord]
    /// Rows that could not be read as a record (a damaged kind, id or grid), by key text only.
    public var unreadable: [String]
    /// The last change-log position looked at, served or not: the page's cursor moves past it.
    public var lastSeq: Int64?
    /// True when the page stopped at its record or byte limit: more may follow.
    public var full: Bool

    public init(records: [PulledRecord], unreadable: [String], lastSeq: Int64?, full: Bool) {
        self.records = records
        self.unreadable = unreadable
        self.lastSeq = lastSeq
        self.full = full
    }
}
