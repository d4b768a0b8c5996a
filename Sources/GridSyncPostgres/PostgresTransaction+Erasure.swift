import Foundation
import GridSyncCore
import GridSyncServer
import PostgresNIO

extension PostgresTransaction: ErasureLedger {
    func recordErasure(_ erasure: Erasure, terminals: [String]) throws {
        let kind = erasure.key.kind.rawValue, id = erasure.key.id.rawValue
        try execute("""
            INSERT INTO erasure (kind, id, seq, erased_at, actor, reason)
            VALUES (\(kind), \(id), \(erasure.seq), \(erasure.erasedAt.timeIntervalSince1970), \(erasure.actor), \(erasure.reason))
            """)
        if !terminals.isEmpty {
            try execute("""
                INSERT INTO erasure_terminal (kind, id, device_id, seq)
                SELECT \(kind), \(id), d, \(erasure.seq) FROM unnest(\(terminals)::text[]) AS t(d) ON CONFLICT DO NOTHING
                """)
        }
        // Refusal notes name dots only, but nothing of an erased record should stay that need not.
        try execute("DELETE FROM rejected_dot WHERE kind = \(kind) AND id = \(id)")
    }

    func erasure(of key: RecordKey) throws -> Erasure? {
        try rows("SELECT * FROM erasure WHERE kind = \(key.kind.rawValue) AND id = \(key.id.rawValue)").first.flatMap(Self.erasure)
    }

    func erasures(limit: Int) throws -> [Erasure] {
        try rows("SELECT * FROM erasure ORDER BY seq DESC LIMIT \(Int64(limit))").compactMap(Self.erasure)
    }

    func erasureConfirmations(of key: RecordKey) throws -> [String: Date?] {
        var confirmations: [String: Date?] = [:]
        for row in try rows("SELECT device_id, confirmed_at FROM erasure_terminal WHERE kind = \(key.kind.rawValue) AND id = \(key.id.rawValue)") {
            let confirmed: Date? = try row["confirmed_at"].decode(Double?.self).map(Date.init(timeIntervalSince1970:))
            confirmations.updateValue(confirmed, forKey: try row["device_id"].decode(String.self))
        }
        return confirmations
    }

    func erasedKeys(_ keys: [RecordKey]) throws -> Set<RecordKey> {
        try keysListed(keys, in: "erasure")
    }

    func confirmErasures(deviceID: String, upTo seq: Int64, at date: Date) throws {
        try execute("""
            UPDATE erasure_terminal SET confirmed_at = \(date.timeIntervalSince1970)
            WHERE device_id = \(deviceID) AND confirmed_at IS NULL AND seq <= \(seq)
            """)
    }

    private static func erasure(_ row: PostgresRandomAccessRow) -> Erasure? {
        guard let kind = (try? row["kind"].decode(String.self)).flatMap(RecordKind.init(rawValue:)),
              let id = (try? row["id"].decode(String.self)).flatMap(RecordID.init),
              let seq = try? row["seq"].decode(Int64.self), let at = try? row["erased_at"].decode(Double.self),
              let actor = try? row["actor"].decode(String.self), let reason = try? row["reason"].decode(String.self) else { return nil }
        return Erasure(key: RecordKey(kind: kind, id: id), seq: seq, erasedAt: Date(timeIntervalSince1970: at), actor: actor, reason: reason)
    }
}
