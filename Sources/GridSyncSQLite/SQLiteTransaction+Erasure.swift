import Foundation
import GRDB
import GridSyncCore
import GridSyncServer

extension SQLiteTransaction: ErasureLedger {
    func recordErasure(_ erasure: Erasure, terminals: [String]) throws {
        let key: StatementArguments = [erasure.key.kind.rawValue, erasure.key.id.rawValue]
        try db.execute(sql: "INSERT INTO erasure (kind, id, seq, erased_at, actor, reason) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: key + [erasure.seq, erasure.erasedAt.timeIntervalSince1970, erasure.actor, erasure.reason])
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO erasure_terminal (kind, id, device_id, seq) VALUES (?, ?, ?, ?)")
        for device in terminals { try insert.execute(arguments: key + [device, erasure.seq]) }
        // Refusal notes name dots only, but nothing of an erased record should stay that need not.
        try db.cachedStatement(sql: "DELETE FROM rejected_dot WHERE kind = ? AND id = ?").execute(arguments: key)
    }

    func erasure(of key: RecordKey) throws -> Erasure? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM erasure WHERE kind = ? AND id = ?"),
                         arguments: [key.kind.rawValue, key.id.rawValue]).flatMap(Self.erasure)
    }

    func erasures(limit: Int) throws -> [Erasure] {
        try Row.fetchAll(db, sql: "SELECT * FROM erasure ORDER BY seq DESC LIMIT ?", arguments: [limit]).compactMap(Self.erasure)
    }

    func erasureConfirmations(of key: RecordKey) throws -> [String: Date?] {
        var confirmations: [String: Date?] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT device_id, confirmed_at FROM erasure_terminal WHERE kind = ? AND id = ?",
                                    arguments: [key.kind.rawValue, key.id.rawValue]) {
            let confirmed: Date? = (row["confirmed_at"] as Double?).map(Date.init(timeIntervalSince1970:))
            confirmations.updateValue(confirmed, forKey: row["device_id"])
        }
        return confirmations
    }

    func erasedKeys(_ keys: [RecordKey]) throws -> Set<RecordKey> {
        try keysListed(keys, in: "erasure")
    }

    func confirmErasures(deviceID: String, upTo seq: Int64, at date: Date) throws {
        try db.cachedStatement(sql: "UPDATE erasure_terminal SET confirmed_at = ? WHERE device_id = ? AND confirmed_at IS NULL AND seq <= ?")
            .execute(arguments: [date.timeIntervalSince1970, deviceID, seq])
    }

    private static func erasure(_ row: Row) -> Erasure? {
        guard let kind = RecordKind(rawValue: row["kind"]), let id = RecordID(row["id"] as String) else { return nil }
        return Erasure(key: RecordKey(kind: kind, id: id), seq: row["seq"], erasedAt: Date(timeIntervalSince1970: row["erased_at"]),
                       actor: row["actor"], reason: row["reason"])
    }
}
