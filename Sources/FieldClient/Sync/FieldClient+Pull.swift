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
            let (stored, requeued) = try await pool.write { db in
                // How far this handset's clock is from the server's: deadlines are read on the
                // server's clock, whatever the handset's says.
                if let serverTime = page.serverTime {
                    try Meta.serverClockOffset.set(String(serverTime.timeIntervalSince(localNow)), db)
                }
                // With the page, so that a rebase cut off here is asked for again, whole.
                let requeued = page.rebase == true ? try Self.rebase(db) : 0
                return (try Self.store(page, db, cache: rows), requeued)
            }
            if page.rebase == true {
                report.rebased = true
                report.requeued += requeued
                logger.notice("the server started this handset's grids afresh (a restore, or a long silence): acknowledged changes go again",
                              metadata: ["changes": .stringConvertible(requeued)])
            }
            report.pulledRecords += page.records.count
            report.purgedRecords += stored.purged
            report.erased += stored.erased
            if page.scope.changed { try reloadIdentity() }
            if !page.hasMore { return }
        }
    }

    static let gridPath = FieldPath("grid")!

    /// The server starts this handset's scope afresh: it was restored from a backup, or the
    /// handset was silent so long that deleted records were purged meanwhile. The kept
    /// acknowledged changes go back into the outbox, photos still on the handset are offered
    /// again (the server answers one request for each it still has), and every record is
    /// listed as unseen until the fresh pull sends it (``finishRebase(_:cache:)``).
    static func rebase(_ db: Database) throws -> Int {
        let requeued = try Outbox.requeueSent(db)
        try PhotoQueue.offerAgain(db)
        try db.execute(sql: "DELETE FROM rebase_unseen")
        try db.execute(sql: "INSERT INTO rebase_unseen (kind, id) SELECT kind, id FROM record")
        try Meta.rebasing.set("1", db)
        return requeued
    }

    /// The fresh pull is over: a record it never sent is no longer on the server (purged, or
    /// lost with a restore and not sent again by any handset yet). It goes, unless this handset
    /// has unsent changes to it: those are pushed, and answered.
    static func finishRebase(_ db: Database, cache: RowCache) throws -> Int {
        var dropped = 0
        for row in try Row.fetchAll(db, sql: "SELECT kind, id FROM rebase_unseen") {
            guard let kind = RecordKind(rawValue: row["kind"]), let id = RecordID(row["id"] as String) else { continue }
            let key = RecordKey(kind: kind, id: id)
            if try Outbox.hasPending(key, db) { continue }
            try RecordRow.delete(key, db, cache: cache)
            dropped += 1
        }
        try db.execute(sql: "DELETE FROM rebase_unseen")
        try Meta.rebasing.set(nil, db)
        return dropped
    }

    /// Joins a page into the replica, follows scope changes, and stores the cursor. Returns how
    /// many records it dropped as out of scope or gone, and how many it erased.
    static func store(_ page: PullResponse, _ db: Database, cache: RowCache) throws -> (purged: Int, erased: Int) {
        let scope = page.scope.grids
        try Meta.scope.set(String(decoding: try LocalCoding.encode(scope), as: UTF8.self), db)
        var purged = 0, erased = 0
        let rebasing = try Meta.rebasing.get(db) != nil
        for envelope in page.records {
            if rebasing {
                try db.cachedStatement(sql: "DELETE FROM rebase_unseen WHERE kind = ? AND id = ?")
                    .execute(arguments: [envelope.key.kind.rawValue, envelope.key.id.rawValue])
            }
            if envelope.erased == true {
                // Erased on request: gone from everywhere, pending work and parked changes too.
                try Erasure.erase(envelope.key, db, cache: cache)
                erased += 1
                continue
            }
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
        if rebasing && !page.hasMore { purged += try finishRebase(db, cache: cache) }
        try Meta.cursor.set(page.cursor, db)
        return (purged, erased)
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
