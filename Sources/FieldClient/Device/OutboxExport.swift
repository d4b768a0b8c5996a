import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol

/// Unsent work carried from one handset to another: a swapped or re-installed terminal
/// imports it and sends it as its own. The changes keep their ids and dots, so whatever the
/// old handset had already delivered is recognised as a duplicate, not applied twice.
public struct OutboxExport: Codable, Sendable, Hashable {
    public var version = 1
    public var deviceID: String?
    public var changes: [Change]
}

extension FieldClient {
    /// Every change still waiting for the server, oldest first.
    public func exportOutbox() throws -> Data {
        let export = try pool.read { db in
            OutboxExport(deviceID: try Meta.deviceID.get(db),
                         changes: try Outbox.oldest(Int.max, db).map(\.change))
        }
        return try WireCoding.encode(export)
    }

    /// Queues an export's changes here and shows them in the local replica. Importing twice
    /// adds nothing. Returns how many changes were new.
    @discardableResult
    public func importOutbox(_ data: Data) throws -> Int {
        let export: OutboxExport
        do {
            export = try WireCoding.decode(OutboxExport.self, from: data)
        } catch {
            throw FieldClientError(.invalid, "not an outbox export from a GridSync handset")
        }
        let now = configuration.now()
        return try pool.write { [rows] db in
            var added = 0
            for change in export.changes {
                try Outbox.append(change, at: now, db)
                guard db.changesCount > 0 else { continue }
                added += 1
                var row = try RecordRow.fetch(change.record, db, cache: rows) ?? RecordRow(key: change.record, serverState: nil, state: RecordState())
                row.state.apply(change)
                try row.save(db, cache: rows)
            }
            return added
        }
    }
}
