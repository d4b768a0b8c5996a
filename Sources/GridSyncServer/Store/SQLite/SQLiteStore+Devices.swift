import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol

extension SQLiteStore {
    public func createDevice(worker: String, grids: [GridPath], enrollmentCodeHash: String, registrationKey: String?, at: Date) async throws -> DeviceRecord {
        try await pool.write { db in
            let device: DeviceRecord
            if let registrationKey, let existing = try Row.fetchOne(db, sql: "SELECT * FROM device WHERE registration_key = ?", arguments: [registrationKey]) {
                device = SQLiteStore.device(from: existing)
                guard device.worker == worker else { throw StoreError(.invalid("Idempotency-Key")) }
                guard device.status == .awaitingEnrollment else { throw StoreError(.alreadyUsed) }
                try db.execute(sql: "UPDATE device SET enrollment_code_hash = ? WHERE id = ?", arguments: [enrollmentCodeHash, device.id])
            } else {
                // Device and replica ids differ, so that the conflict view's devices and sides can
                // be told apart at a glance: the device is the handset, the replica what it writes as.
                let short = TokenFactory.shortID()
                device = DeviceRecord(id: "dev-" + short, worker: worker, replicaID: ReplicaID("r-" + short)!, status: .awaitingEnrollment)
                try db.execute(sql: """
                    INSERT INTO device (id, worker, replica_id, status, enrollment_code_hash, created_at, registration_key)
                    VALUES (?, ?, ?, 'awaitingEnrollment', ?, ?, ?)
                    """, arguments: [device.id, worker, device.replicaID.rawValue, enrollmentCodeHash, at.timeIntervalSince1970, registrationKey])
            }
            for grid in grids {
                try db.execute(sql: "INSERT OR IGNORE INTO assignment (worker, grid) VALUES (?, ?)", arguments: [worker, grid.description])
            }
            return device
        }
    }

    public func enroll(enrollmentCodeHash: String, tokenHash: String, appVersion: String, installationID: String?, at: Date) async throws -> DeviceRecord {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM device WHERE enrollment_code_hash = ?", arguments: [enrollmentCodeHash]) else {
                throw StoreError(.notFound)
            }
            let status = row["status"] as String
            let sameInstallation = installationID != nil && (row["installation_id"] as String?) == installationID
            guard status == DeviceSummary.Status.awaitingEnrollment.rawValue
                    || (status == DeviceSummary.Status.active.rawValue && sameInstallation) else { throw StoreError(.alreadyUsed) }
            try db.execute(sql: """
                UPDATE device SET status = 'active', token_hash = ?, enrolled_at = ?, app_version = ?, protocol_version = ?,
                    installation_id = ?
                WHERE id = ?
                """, arguments: [tokenHash, at.timeIntervalSince1970, appVersion, WireProtocol.version, installationID, row["id"] as String])
            return try SQLiteStore.device(db, sql: "SELECT * FROM device WHERE id = ?", [row["id"] as String])!
        }
    }

    public func device(tokenHash: String) async throws -> DeviceRecord? {
        try await pool.read { db in
            try SQLiteStore.device(db, sql: "SELECT * FROM device WHERE token_hash = ?", [tokenHash])
        }
    }

    public func devices() async throws -> [DeviceRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM device ORDER BY worker, id").map(SQLiteStore.device(from:))
        }
    }

    public func revokeDevice(id: String, at: Date) async throws -> DeviceRecord? {
        try await pool.write { db in
            try db.execute(sql: "UPDATE device SET status = 'revoked', revoked_at = ? WHERE id = ?", arguments: [at.timeIntervalSince1970, id])
            return try SQLiteStore.device(db, sql: "SELECT * FROM device WHERE id = ?", [id])
        }
    }

    static func device(_ db: Database, sql: String, _ arguments: StatementArguments) throws -> DeviceRecord? {
        try Row.fetchOne(db.cachedStatement(sql: sql), arguments: arguments).map(device(from:))
    }

    static func device(from row: Row) -> DeviceRecord {
        let date = { (column: String) in (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        return DeviceRecord(
            id: row["id"], worker: row["worker"], replicaID: ReplicaID(row["replica_id"])!,
            status: DeviceSummary.Status(rawValue: row["status"]) ?? .revoked,
            enrolledAt: date("enrolled_at"), lastSyncAt: date("last_sync_at"),
            pendingChanges: row["pending_changes"], appVersion: row["app_version"], protocolVersion: row["protocol_version"])
    }

    public func createOpsToken(name: String, role: OpsRole, tokenHash: String, at: Date) async throws -> OpsTokenRecord {
        try await pool.write { db in
            let id = "ops-" + TokenFactory.shortID()
            try db.execute(sql: "INSERT INTO ops_token (id, name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, name, role.rawValue, tokenHash, at.timeIntervalSince1970])
            return OpsTokenRecord(id: id, name: name, role: role, revoked: false)
        }
    }

    public func opsToken(tokenHash: String) async throws -> OpsTokenRecord? {
        try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM ops_token WHERE token_hash = ?"), arguments: [tokenHash]).map { row in
                OpsTokenRecord(id: row["id"], name: row["name"], role: OpsRole(rawValue: row["role"]) ?? .viewer,
                               revoked: (row["revoked_at"] as Double?) != nil)
            }
        }
    }

    public func revokeOpsToken(id: String, at: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE ops_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [at.timeIntervalSince1970, id])
            return db.changesCount > 0
        }
    }

    public func opsTokenCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ops_token") ?? 0 }
    }
}
