import Foundation
import GridSyncCore
import GridSyncServer
import PostgresNIO

extension PostgresTransaction: Retention {
    func tombstones(changedBefore: Date, seqAtMost: Int64, limit: Int) throws -> [Tombstone] {
        try rows("""
            SELECT r.kind, r.id, r.seq, ARRAY(SELECT g.grid FROM record_grid g WHERE g.kind = r.kind AND g.id = r.id) AS grids
            FROM record r JOIN change_log c ON c.seq = r.seq
            WHERE r.deleted AND NOT r.in_conflict AND NOT r.quarantined AND r.seq <= \(seqAtMost) AND c.received_at < \(changedBefore.timeIntervalSince1970)
            ORDER BY r.seq LIMIT \(Int64(limit))
            """).compactMap { row in
            guard let kind = RecordKind(rawValue: try row["kind"].decode(String.self)), let id = RecordID(try row["id"].decode(String.self)) else { return nil }
            return Tombstone(key: RecordKey(kind: kind, id: id), seq: try row["seq"].decode(Int64.self),
                             grids: try row["grids"].decode([String].self).compactMap(GridPath.init))
        }
    }

    func purge(_ tombstones: [Tombstone], at date: Date) throws {
        guard !tombstones.isEmpty else { return }
        let kinds = tombstones.map(\.key.kind.rawValue), ids = tombstones.map(\.key.id.rawValue), seqs = tombstones.map(\.seq)
        for table in ["record", "record_grid", "record_photo", "rejected_dot"] {
            var bindings = PostgresBindings()
            bindings.append(kinds)
            bindings.append(ids)
            try execute(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE (kind, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))", binds: bindings))
        }
        try execute("""
            INSERT INTO purged_record (kind, id, seq, purged_at)
            SELECT k, i, s, \(date.timeIntervalSince1970) FROM unnest(\(kinds)::text[], \(ids)::text[], \(seqs)::bigint[]) AS t(k, i, s)
            ON CONFLICT (kind, id) DO UPDATE SET seq = excluded.seq, purged_at = excluded.purged_at
            """)
    }

    func purgedKeys(_ keys: [RecordKey]) throws -> Set<RecordKey> {
        try keysListed(keys, in: "purged_record")
    }

    /// Which of `keys` have a row in `table`, a table keyed by `(kind, id)`: one query for all.
    func keysListed(_ keys: [RecordKey], in table: String) throws -> Set<RecordKey> {
        guard !keys.isEmpty else { return [] }
        var bindings = PostgresBindings()
        bindings.append(keys.map(\.kind.rawValue))
        bindings.append(keys.map(\.id.rawValue))
        return Set(try rows(PostgresQuery(unsafeSQL: """
            SELECT p.kind, p.id FROM \(table) p JOIN unnest($1::text[], $2::text[]) AS t(k, i) ON p.kind = t.k AND p.id = t.i
            """, binds: bindings)).compactMap { row in
            guard let kind = RecordKind(rawValue: try row["kind"].decode(String.self)), let id = RecordID(try row["id"].decode(String.self)) else { return nil }
            return RecordKey(kind: kind, id: id)
        })
    }

    func purgedSeq() throws -> Int64 {
        try rows("SELECT COALESCE(MAX(seq), 0)::bigint AS seq FROM purged_record")[0]["seq"].decode(Int64.self)
    }

    func notePulled(deviceID: String, upTo seq: Int64, rebasedSince: Date?) throws {
        try execute("""
            UPDATE device SET pulled_seq = GREATEST(COALESCE(pulled_seq, 0), \(seq)),
                rebase_due_at = CASE WHEN rebase_due_at <= \(rebasedSince?.timeIntervalSince1970) THEN NULL ELSE rebase_due_at END
            WHERE id = \(deviceID)
            """)
    }

    func markRebaseDue(deviceIDs: [String], at date: Date) throws {
        guard !deviceIDs.isEmpty else { return }
        try execute("UPDATE device SET rebase_due_at = \(date.timeIntervalSince1970) WHERE id = ANY(\(deviceIDs)::text[])")
    }
}
