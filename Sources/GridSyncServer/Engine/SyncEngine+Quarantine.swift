import Foundation
import GridSyncCore
import GridSyncProtocol

extension SyncEngine {
    /// Sets a record aside: pull stops serving it until it is released. Pushes to it still
    /// merge, so nothing a terminal sends is lost. `false` when there is no such record.
    public func quarantine(_ key: RecordKey, reason: String, at: Date) async throws -> Bool {
        try await store.write { transaction in
            try transaction.lock([key])
            guard try transaction.isQuarantined(key) != nil else { return false }
            try transaction.setQuarantine(key, reason: reason, at: at, seq: nil)
            return true
        }
    }

    /// Serves a quarantined record again: it gets a new change-log position, so every terminal
    /// in scope pulls its current version, however long ago its last change was. `false` when
    /// it was not quarantined.
    public func release(_ key: RecordKey, actor: String, at: Date) async throws -> Bool {
        try await store.write { transaction in
            try transaction.lock([key])
            guard try transaction.isQuarantined(key) == true else { return false }
            let seq = try transaction.appendLog([ChangeLogEntry(
                changeID: "release-" + TokenFactory.shortID(), record: key, replica: nil, clock: nil, source: actor,
                outcome: "released", receivedAt: at)])[0]
            try transaction.setQuarantine(key, reason: nil, at: at, seq: seq)
            return true
        }
    }

    /// Every quarantined record, oldest first.
    public func quarantined() async throws -> [QuarantinedRecord] {
        try await store.read { try $0.quarantined() }
    }
}
