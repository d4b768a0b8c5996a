import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol

extension FieldClient {
    /// Pulls pages until the server has nothing more. Each page and its cursor are stored in one
    /// transaction, so a pull cut off anywhere repeats at most one page, harmlessly.
    func pull(_ identity: DeviceIdentity, report: inout SyncReport) async throws {
        while true {
            let cursor = try await pool.read { db in try Meta.cursor.get(db) }
            var path = "/v1/pull?limit=\(identity.limits.maxPullPage)"
            if let cursor { path += "&cursor=\(cursor)" }
            let page = try await exchangeJSON(PullResponse.self, "GET", path, body: nil, token: identity.token, report: &report)
            let localNow = configuration.now()
            let purged = try await pool.write { db in
                // How far this handset's clock is from the server's: deadlines are read on the
                // server's clock, whatever the handset's says.
                if let serverTime = page.serverTime {
                    try Meta.serverClockOffset.set(String(serverTime.timeIntervalSince(localNow)), db)
                }
                return try Self.store(page, db, cache: rows)
            }
            report.pulledRecords += page.records.count
            report.purgedRecords += purged
            if page.scope.changed { try reloadIdentity() }
            if !page.hasMore { return }
        }
    }

    static let gridPath = FieldPath("grid")!

    /// Joins a page into the replica, follows scope changes, and stores the cursor.
    static func store(_ page: PullResponse, _ db: Database, cache: RowCache) throws -> Int {
        let scope = page.scope.grids
        try Meta.scope.set(String(decoding: try LocalCoding.encode(scope), as: UTF8.self), db)
        var purged = 0
        for envelope in page.records {
            if !envelope.grids.contains(where: scope.covers) {
                // Moved out of this handset's grids: drop it, unless local work on it is unsent.
                if try !Outbox.hasPending(envelope.key, db), try RecordRow.fetch(envelope.key, db, cache: cache) != nil {
                    try RecordRow.delete(envelope.key, db, cache: cache)
                    purged += 1
                }
                continue
            }
            var row = try RecordRow.fetch(envelope.key, db, cache: cache) ?? RecordRow(key: envelope.key, serverState: nil, state: RecordState())
            let confirmed = (row.serverState ?? RecordState()).merged(with: envelope.state)
            // Most of what a sync pulls back is the handset's own pushed work, which it already
            // confirmed when the push was acknowledged: then the row holds it all, and is not
            // written again. (A row whose state has no grid is written anyway: its grids come
            // from the envelope.)
            let known = row.serverState == confirmed && confirmed.entries[Self.gridPath].map { !$0.isEmpty } == true
            if !known {
                row.serverState = confirmed
                // The join keeps pending local edits on top: the server has not seen their dots.
                row.state.merge(envelope.state)
                try row.save(db, grids: envelope.grids, cache: cache)
            }
            if let timing = envelope.timing {
                try db.cachedStatement(sql: "UPDATE record SET timing = ? WHERE kind = ? AND id = ?")
                    .execute(arguments: [try WireCoding.encode(timing), envelope.key.kind.rawValue, envelope.key.id.rawValue])
            }
        }
        if page.scope.changed || !page.hasMore {
            purged += try purgeOutOfScope(scope, db, cache: cache)
        }
        try Meta.cursor.set(page.cursor, db)
        return purged
    }

    /// Removes records no longer in any assigned grid, keeping those with unsent changes until
    /// they are pushed or rejected.
    static func purgeOutOfScope(_ scope: [GridPath], _ db: Database, cache: RowCache) throws -> Int {
        var purged = 0
        for row in try Row.fetchAll(db, sql: "SELECT kind, id, grids FROM record") {
            let grids = RecordIndex.paths(row["grids"])
            guard !grids.contains(where: scope.covers), let kind = RecordKind(rawValue: row["kind"]), let id = RecordID(row["id"]) else { continue }
            let key = RecordKey(kind: kind, id: id)
            if try Outbox.hasPending(key, db) { continue }
            try RecordRow.delete(key, db, cache: cache)
            purged += 1
        }
        return purged
    }
}
