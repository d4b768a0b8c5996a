import Foundation
import GridSyncCore
import GridSyncProtocol
import GridSyncServer
import NIOCore
import PostgresNIO

extension PostgresTransaction: RecordLog {
    /// Transaction-scoped advisory locks, one per record, taken in one sorted order so that two
    /// transactions never wait on each other in a cycle. They cover records that do not exist
    /// yet, which row locks cannot. Two keys that hash alike only serialise more than needed.
    func lock(_ keys: [RecordKey]) throws {
        guard !keys.isEmpty else { return }
        let hashes = Array(Set(keys.map(Self.lockHash))).sorted()
        try execute("SELECT pg_advisory_xact_lock(k) FROM unnest(\(hashes)::bigint[]) AS k")
    }

    /// FNV-1a over the key's text: stable across processes and versions, unlike `hashValue`.
    static func lockHash(_ key: RecordKey) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (key.kind.rawValue + "\u{0}" + key.id.rawValue).utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    func records(_ keys: [RecordKey]) throws -> [RecordKey: StoredRecord] {
        guard !keys.isEmpty else { return [:] }
        let kinds = keys.map(\.kind.rawValue), ids = keys.map(\.id.rawValue)
        var found: [RecordKey: StoredRecord] = [:]
        for row in try rows("""
            SELECT r.kind, r.id, r.state, r.seq, r.conflict_since, r.before_delete, r.before_delete_contested, r.timing,
                (SELECT string_agg(x.grid, ' ' ORDER BY x.grid) FROM record_grid x WHERE x.kind = r.kind AND x.id = r.id AND x.current) AS grids
            FROM record r JOIN unnest(\(kinds)::text[], \(ids)::text[]) AS k (kind, id) ON r.kind = k.kind AND r.id = k.id
            """) {
            guard let kind = RecordKind(rawValue: try row["kind"].decode(String.self)),
                  let id = RecordID(try row["id"].decode(String.self)) else { continue }
            let agreed = try row["before_delete"].decode(ByteBuffer?.self)
            let contested = try row["before_delete_contested"].decode(ByteBuffer?.self)
            let snapshot = try agreed.map { agreed in
                DeleteSnapshot(agreed: try PostgresCoding.decode([FieldPath: FieldValue].self, agreed),
                               contested: try contested.map { try PostgresCoding.decode(RecordState.self, $0).entries } ?? [:])
            }
            let key = RecordKey(kind: kind, id: id)
            found[key] = StoredRecord(
                key: key, state: try PostgresCoding.decode(RecordState.self, try row["state"].decode(ByteBuffer.self)),
                grids: Self.grids(try row["grids"].decode(String?.self)), seq: try row["seq"].decode(Int64.self),
                conflictSince: try row["conflict_since"].decode(Double?.self).map(Date.init(timeIntervalSince1970:)),
                beforeDelete: snapshot,
                timing: try row["timing"].decode(ByteBuffer?.self).map { try PostgresCoding.decode(CaseTiming.self, $0) })
        }
        return found
    }

    static func grids(_ text: String?) -> [GridPath] {
        GridPath.list(spaceSeparated: text ?? "")
    }

    func save(_ writes: [RecordWrite]) throws {
        guard !writes.isEmpty else { return }
        // Arrays cannot carry NULL elements here: NaN and empty bytes stand for NULL.
        let records = writes.map(\.record)
        let kinds = records.map(\.key.kind.rawValue), ids = records.map(\.key.id.rawValue)
        let states = writes.map { ByteBuffer(bytes: $0.stateBytes) }
        let seqs = records.map(\.seq), conflicted = records.map(\.state.isInConflict), deleted = records.map(\.state.isDeleted)
        let since = records.map { $0.conflictSince?.timeIntervalSince1970 ?? .nan }
        let agreed = try records.map { try $0.beforeDelete.map { ByteBuffer(bytes: try PostgresCoding.encode($0.agreed)) } ?? ByteBuffer() }
        let timings = writes.map { $0.timingBytes.map { ByteBuffer(bytes: $0) } ?? ByteBuffer() }
        let contested = records.map { record in
            record.beforeDelete.flatMap { $0.contested.isEmpty ? nil : RecordState(entries: $0.contested, context: .empty, clock: .empty) }
                .map { ByteBuffer(bytes: CompactJSON.encode($0)) } ?? ByteBuffer()
        }
        try execute("""
            INSERT INTO record (kind, id, state, seq, in_conflict, deleted, conflict_since, before_delete, before_delete_contested, timing)
            SELECT kind, id, state, seq, in_conflict, deleted, NULLIF(since, 'NaN'), NULLIF(agreed, ''::bytea), NULLIF(contested, ''::bytea),
                NULLIF(timing, ''::bytea)
            FROM unnest(\(kinds)::text[], \(ids)::text[], \(states)::bytea[], \(seqs)::bigint[], \(conflicted)::boolean[],
                        \(deleted)::boolean[], \(since)::float8[], \(agreed)::bytea[], \(contested)::bytea[], \(timings)::bytea[])
                AS u (kind, id, state, seq, in_conflict, deleted, since, agreed, contested, timing)
            ON CONFLICT (kind, id) DO UPDATE SET state = excluded.state, seq = excluded.seq, in_conflict = excluded.in_conflict,
                deleted = excluded.deleted, conflict_since = excluded.conflict_since, before_delete = excluded.before_delete,
                before_delete_contested = excluded.before_delete_contested, timing = excluded.timing
            """)
        // A record that leaves a grid keeps a `current = false` row there, so devices of that
        // grid are still sent the record's next version and learn that it moved out of scope.
        let moved = records.enumerated().filter { writes[$0.offset].gridsChanged }.map(\.element)
        guard !moved.isEmpty else { return }
        let movedKinds = moved.map(\.key.kind.rawValue), movedIDs = moved.map(\.key.id.rawValue)
        try execute("""
            UPDATE record_grid g SET current = FALSE FROM unnest(\(movedKinds)::text[], \(movedIDs)::text[]) AS k (kind, id)
            WHERE g.kind = k.kind AND g.id = k.id
            """)
        let placed = moved.flatMap { record in record.grids.map { (record.key, $0) } }
        guard !placed.isEmpty else { return }
        let grids = placed.map(\.1.description), gridKinds = placed.map(\.0.kind.rawValue), gridIDs = placed.map(\.0.id.rawValue)
        try execute("""
            INSERT INTO record_grid (grid, kind, id, current)
            SELECT grid, kind, id, TRUE FROM unnest(\(grids)::text[], \(gridKinds)::text[], \(gridIDs)::text[]) AS u (grid, kind, id)
            ON CONFLICT (grid, kind, id) DO UPDATE SET current = TRUE
            """)
    }

    /// Takes positions from the one counter row. Its row lock is held until this transaction
    /// ends, so the next transaction takes higher positions only after this one committed:
    /// positions grow in commit order, and a reader that sees one sees every lower one.
    func appendLog(_ entries: [ChangeLogEntry]) throws -> [Int64] {
        guard !entries.isEmpty else { return [] }
        let seqs = try takePositions(entries.count)
        let changeIDs = entries.map(\.changeID), kinds = entries.map(\.record.kind.rawValue), ids = entries.map(\.record.id.rawValue)
        let replicas = entries.map { $0.replica?.rawValue ?? "" }, clocks = entries.map { $0.clock.map { CompactJSON.text($0) } ?? "" }
        let sources = entries.map(\.source), outcomes = entries.map(\.outcome), times = entries.map(\.receivedAt.timeIntervalSince1970)
        try execute("""
            INSERT INTO change_log (seq, change_id, kind, id, replica, clock, device_id, outcome, received_at)
            SELECT seq, change_id, kind, id, NULLIF(replica, ''), NULLIF(clock, ''), source, outcome, received_at
            FROM unnest(\(seqs)::bigint[], \(changeIDs)::text[], \(kinds)::text[], \(ids)::text[], \(replicas)::text[],
                        \(clocks)::text[], \(sources)::text[], \(outcomes)::text[], \(times)::float8[])
                AS u (seq, change_id, kind, id, replica, clock, source, outcome, received_at)
            """)
        return seqs
    }

    private func takePositions(_ count: Int) throws -> [Int64] {
        switch positions {
        case .commitOrdered:
            let last = try rows("UPDATE position_counter SET value = value + \(Int64(count)) WHERE name = 'change_log' RETURNING value")[0]["value"]
                .decode(Int64.self)
            return Array((last - Int64(count) + 1)...last)
        case .plainSequence:
            return try rows("SELECT nextval('plain_position') AS seq FROM generate_series(1, \(Int64(count)))").map { try $0["seq"].decode(Int64.self) }
        }
    }

    func currentSeq() throws -> Int64 {
        try rows("SELECT COALESCE(MAX(seq), 0)::bigint AS seq FROM record")[0]["seq"].decode(Int64.self)
    }

    func latestClocks(of key: RecordKey) throws -> [ReplicaID: VectorClock] {
        var clocks: [ReplicaID: VectorClock] = [:]
        for row in try rows("""
            SELECT replica, clock FROM change_log
            WHERE kind = \(key.kind.rawValue) AND id = \(key.id.rawValue) AND outcome != 'rejected' AND replica IS NOT NULL ORDER BY seq
            """) {
            guard let replica = ReplicaID(try row["replica"].decode(String.self)), let text = try row["clock"].decode(String?.self) else { continue }
            clocks[replica] = try PostgresCoding.decode(VectorClock.self, ByteBuffer(string: text))
        }
        return clocks
    }

    func appliedResults(_ ids: [ChangeID]) throws -> [ChangeID: ChangeResult] {
        guard !ids.isEmpty else { return [:] }
        var found: [ChangeID: ChangeResult] = [:]
        for row in try rows("SELECT change_id, result FROM applied_change WHERE change_id = ANY(\(ids.map(\.rawValue))::text[])") {
            guard let id = ChangeID(try row["change_id"].decode(String.self)) else { continue }
            found[id] = try PostgresCoding.decode(ChangeResult.self, try row["result"].decode(ByteBuffer.self))
        }
        return found
    }

    func saveApplied(_ results: [AppliedChange]) throws {
        guard !results.isEmpty else { return }
        let ids = results.map(\.result.changeId.rawValue), devices = results.map(\.deviceID)
        let encoded = try results.map { ByteBuffer(bytes: try PostgresCoding.encode($0.result)) }
        try execute("""
            INSERT INTO applied_change (change_id, device_id, result)
            SELECT * FROM unnest(\(ids)::text[], \(devices)::text[], \(encoded)::bytea[])
            """)
    }

    func rejectedSupersedes(_ key: RecordKey, dot: Dot) throws -> [Dot]? {
        try rows("SELECT supersedes FROM rejected_dot WHERE kind = \(key.kind.rawValue) AND id = \(key.id.rawValue) AND dot = \(dot.description)")
            .first.map { try $0["supersedes"].decode(String.self).split(separator: " ").compactMap { Dot(String($0)) } }
    }

    func rememberRejected(_ key: RecordKey, dots: [Dot], supersedes: [Dot]) throws {
        let text = supersedes.map(\.description).joined(separator: " ")
        try execute("""
            INSERT INTO rejected_dot (kind, id, dot, supersedes)
            SELECT \(key.kind.rawValue), \(key.id.rawValue), dot, \(text) FROM unnest(\(dots.map(\.description))::text[]) AS dot
            ON CONFLICT DO NOTHING
            """)
    }

    func changedRecords(within roots: [GridPath], seqAfter: Int64, seqAtMost: Int64, limit: Int) throws -> [StoredRow] {
        var bindings = PostgresBindings()
        let scope = Self.subtree("g.grid", roots: roots, &bindings)
        bindings.append(seqAfter)
        bindings.append(seqAtMost)
        bindings.append(Int64(limit))
        let n = bindings.count
        var grids = GridPathMemo()
        // Driven from the grid index, as on SQLite: the scope's records are found by grid, then
        // each is looked up by key (LATERAL keeps it a lookup). Left to itself the planner may
        // instead walk every record changed since the cursor, district-wide, and a pull's cost
        // would grow with the whole city. Quarantined records wait.
        return try rows(PostgresQuery(unsafeSQL: """
            SELECT r.kind, r.id, r.state, r.seq, r.in_conflict, r.deleted, r.timing,
                (SELECT string_agg(x.grid, ' ' ORDER BY x.grid) FROM record_grid x WHERE x.kind = r.kind AND x.id = r.id AND x.current) AS grids,
                (r.deleted AND EXISTS (SELECT 1 FROM erasure e WHERE e.kind = r.kind AND e.id = r.id)) AS erased
            FROM (SELECT DISTINCT g.kind, g.id FROM record_grid g WHERE \(scope)) AS s
            CROSS JOIN LATERAL (
                SELECT * FROM record r WHERE r.kind = s.kind AND r.id = s.id
                  AND r.seq > $\(n - 2) AND r.seq <= $\(n - 1) AND NOT r.quarantined) AS r
            ORDER BY r.seq LIMIT $\(n)
            """, binds: bindings)).map { row in
            StoredRow(kind: try row["kind"].decode(String.self), id: try row["id"].decode(String.self),
                      grids: grids.list(spaceSeparated: try row["grids"].decode(String?.self) ?? ""), seq: try row["seq"].decode(Int64.self),
                      inConflict: try row["in_conflict"].decode(Bool.self), deleted: try row["deleted"].decode(Bool.self),
                      state: Data(try row["state"].decode(ByteBuffer.self).readableBytesView),
                      timing: try row["timing"].decode(ByteBuffer?.self).map { Data($0.readableBytesView) },
                      erased: try row["erased"].decode(Bool.self))
        }
    }

    func changedCount(within roots: [GridPath], seqAfter: Int64) throws -> Int {
        var bindings = PostgresBindings()
        let scope = Self.subtree("g.grid", roots: roots, &bindings)
        bindings.append(seqAfter)
        return Int(try rows(PostgresQuery(unsafeSQL: """
            SELECT COUNT(*) AS n FROM (SELECT DISTINCT g.kind, g.id FROM record_grid g WHERE \(scope)) AS s
            JOIN record r ON r.kind = s.kind AND r.id = s.id WHERE r.seq > $\(bindings.count)
            """, binds: bindings))[0]["n"].decode(Int64.self))
    }

    /// SQL matching `column` against the roots or anything below them, as index ranges:
    /// in bytewise order `/` sorts just before `0`, so `path/` up to `path0` is the subtree.
    static func subtree(_ column: String, roots: [GridPath], _ bindings: inout PostgresBindings) -> String {
        guard !roots.isEmpty else { return "FALSE" }
        return "(" + roots.map { root in
            bindings.append(root.description)
            bindings.append(root.description + "/")
            bindings.append(root.description + "0")
            let n = bindings.count
            return "(\(column) = $\(n - 2) OR (\(column) > $\(n - 1) AND \(column) < $\(n)))"
        }.joined(separator: " OR ") + ")"
    }

    func recordKeys(ofKind kind: RecordKind, under root: GridPath?) throws -> [RecordKey] {
        var bindings = PostgresBindings()
        bindings.append(kind.rawValue)
        let scope = root.map { Self.subtree("g.grid", roots: [$0], &bindings) } ?? "TRUE"
        return try rows(PostgresQuery(unsafeSQL: """
            SELECT DISTINCT g.id FROM record_grid g WHERE g.kind = $1 AND g.current AND \(scope)
            """, binds: bindings)).compactMap { row in
            RecordID(try row["id"].decode(String.self)).map { RecordKey(kind: kind, id: $0) }
        }
    }

    func conflictKeys(under root: GridPath?, kind: RecordKind?) throws -> [RecordKey] {
        var bindings = PostgresBindings()
        var sql = "SELECT kind, id FROM record r WHERE in_conflict"
        if let kind {
            bindings.append(kind.rawValue)
            sql += " AND kind = $\(bindings.count)"
        }
        if let root {
            let scope = Self.subtree("g.grid", roots: [root], &bindings)
            sql += " AND EXISTS (SELECT 1 FROM record_grid g WHERE g.kind = r.kind AND g.id = r.id AND g.current AND \(scope))"
        }
        sql += " ORDER BY conflict_since, kind, id"
        return try rows(PostgresQuery(unsafeSQL: sql, binds: bindings)).compactMap { row in
            guard let kind = RecordKind(rawValue: try row["kind"].decode(String.self)), let id = RecordID(try row["id"].decode(String.self)) else { return nil }
            return RecordKey(kind: kind, id: id)
        }
    }

    func conflictGrids() throws -> [GridPath] {
        try rows("""
            SELECT g.grid FROM record r JOIN record_grid g ON g.kind = r.kind AND g.id = r.id AND g.current WHERE r.in_conflict
            """).compactMap { GridPath(try $0["grid"].decode(String.self)) }
    }

    func changeCounts(since: Date) throws -> [GridPath: Int] {
        var counts: [GridPath: Int] = [:]
        for row in try rows("""
            SELECT g.grid, COUNT(*) AS n FROM change_log c JOIN record_grid g ON g.kind = c.kind AND g.id = c.id AND g.current
            WHERE c.received_at >= \(since.timeIntervalSince1970) AND c.outcome NOT IN ('rejected', 'released') GROUP BY g.grid
            """) {
            if let grid = GridPath(try row["grid"].decode(String.self)) { counts[grid, default: 0] += Int(try row["n"].decode(Int64.self)) }
        }
        return counts
    }

    func changesAppliedTwice() throws -> Int {
        Int(try rows("""
            SELECT COUNT(*) AS n FROM (SELECT change_id FROM change_log WHERE outcome IN ('applied', 'merged', 'conflict')
            GROUP BY change_id HAVING COUNT(*) > 1) AS repeated
            """)[0]["n"].decode(Int64.self))
    }

    func isQuarantined(_ key: RecordKey) throws -> Bool? {
        try rows("SELECT quarantined FROM record WHERE kind = \(key.kind.rawValue) AND id = \(key.id.rawValue)")
            .first.map { try $0["quarantined"].decode(Bool.self) }
    }

    func setQuarantine(_ key: RecordKey, reason: String?, at: Date, seq: Int64?) throws {
        if let reason {
            try execute("""
                UPDATE record SET quarantined = TRUE, quarantine_reason = \(FreeText.storable(reason)), quarantined_at = \(at.timeIntervalSince1970)
                WHERE kind = \(key.kind.rawValue) AND id = \(key.id.rawValue)
                """)
        } else {
            try execute("""
                UPDATE record SET quarantined = FALSE, quarantine_reason = NULL, quarantined_at = NULL, seq = COALESCE(\(seq), seq)
                WHERE kind = \(key.kind.rawValue) AND id = \(key.id.rawValue)
                """)
        }
    }

    func quarantined() throws -> [QuarantinedRecord] {
        try rows("""
            SELECT r.kind, r.id, r.quarantine_reason, r.quarantined_at,
                (SELECT string_agg(x.grid, ' ' ORDER BY x.grid) FROM record_grid x WHERE x.kind = r.kind AND x.id = r.id AND x.current) AS grids
            FROM record r WHERE r.quarantined ORDER BY r.quarantined_at, r.kind, r.id
            """).compactMap { row in
            guard let kind = RecordKind(rawValue: try row["kind"].decode(String.self)), let id = RecordID(try row["id"].decode(String.self)) else { return nil }
            return QuarantinedRecord(kind: kind, id: id, grids: Self.grids(try row["grids"].decode(String?.self)),
                                     reason: try row["quarantine_reason"].decode(String?.self) ?? "",
                                     since: Date(timeIntervalSince1970: try row["quarantined_at"].decode(Double?.self) ?? 0))
        }
    }
}

/// The JSON the store keeps for results and snapshots, read and written as on SQLite.
enum PostgresCoding {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        try JSONEncoder().encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) throws -> T {
        try FieldValueCoding.decodeJSON(type, from: Data(buffer.readableBytesView))
    }
}
