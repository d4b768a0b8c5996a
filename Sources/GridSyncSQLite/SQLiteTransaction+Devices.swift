import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol
import GridSyncServer

extension SQLiteTransaction: DeviceRegistry {
    func device(_ lookup: DeviceLookup) throws -> RegisteredDevice? {
        let (column, value): (String, String) = switch lookup {
        case .id(let id): ("id", id)
        case .tokenHash(let hash): ("token_hash", hash)
        case .enrollmentCodeHash(let hash): ("enrollment_code_hash", hash)
        case .registrationKey(let key): ("registration_key", key)
        }
        return try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM device WHERE \(column) = ?"), arguments: [value]).map { row in
            RegisteredDevice(device: Self.device(from: row), installationID: row["installation_id"])
        }
    }

    func devices() throws -> [DeviceRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM device ORDER BY worker, id").map(Self.device(from:))
    }

    func replicaIDs(ofWorker worker: String) throws -> [ReplicaID] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT replica_id FROM device WHERE worker = ?"), arguments: [worker])
            .compactMap(ReplicaID.init)
    }

    func insertDevice(_ device: DeviceRecord, enrollmentCodeHash: String, registrationKey: String?, at: Date) throws {
        try db.execute(sql: """
            INSERT INTO device (id, worker, replica_id, status, enrollment_code_hash, created_at, registration_key)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [device.id, device.worker, device.replicaID.rawValue, device.status.rawValue, enrollmentCodeHash,
                             at.timeIntervalSince1970, registrationKey])
    }

    func replaceEnrollmentCode(deviceID: String, hash: String) throws {
        try db.execute(sql: "UPDATE device SET enrollment_code_hash = ? WHERE id = ?", arguments: [hash, deviceID])
    }

    func activate(deviceID: String, tokenHash: String, appVersion: String, protocolVersion: Int, installationID: String?, at: Date) throws {
        try db.execute(sql: """
            UPDATE device SET status = 'active', token_hash = ?, enrolled_at = ?, app_version = ?, protocol_version = ?,
                installation_id = ?
            WHERE id = ?
            """, arguments: [tokenHash, at.timeIntervalSince1970, appVersion, protocolVersion, installationID, deviceID])
    }

    func revoke(deviceID: String, at: Date) throws {
        try db.execute(sql: "UPDATE device SET status = 'revoked', revoked_at = ? WHERE id = ?", arguments: [at.timeIntervalSince1970, deviceID])
    }

    func noteSync(_ sync: DeviceSync) throws {
        let at = sync.at.timeIntervalSince1970
        try db.cachedStatement(sql: """
            UPDATE device SET last_sync_at = ?, pending_changes = COALESCE(?, pending_changes),
                app_version = COALESCE(?, app_version), protocol_version = COALESCE(?, protocol_version),
                last_push_at = COALESCE(?, last_push_at), last_pull_at = COALESCE(?, last_pull_at), report = COALESCE(?, report)
            WHERE id = ?
            """).execute(arguments: [at, sync.pendingChanges, sync.appVersion, sync.protocolVersion, sync.pushed ? at : nil, sync.pulled ? at : nil,
                                     try sync.report.map { String(decoding: try WireCoding.encode($0), as: UTF8.self) }, sync.deviceID])
    }

    func noteRefusal(deviceID: String, server: Bool, at: Date) throws {
        try db.cachedStatement(sql: "INSERT INTO device_refusal (device_id, at, server) VALUES (?, ?, ?)")
            .execute(arguments: [deviceID, at.timeIntervalSince1970, server])
    }

    func refusalCounts(since: Date) throws -> [String: RefusalCount] {
        var counts: [String: RefusalCount] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT device_id, SUM(server = 0) AS client, SUM(server = 1) AS server FROM device_refusal WHERE at >= ? GROUP BY device_id
            """, arguments: [since.timeIntervalSince1970]) {
            counts[row["device_id"]] = RefusalCount(client: row["client"], server: row["server"])
        }
        return counts
    }

    func forgetRefusals(before date: Date) throws {
        try db.execute(sql: "DELETE FROM device_refusal WHERE at < ?", arguments: [date.timeIntervalSince1970])
    }

    static func device(from row: Row) -> DeviceRecord {
        let date = { (column: String) in (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        return DeviceRecord(
            id: row["id"], worker: row["worker"], replicaID: ReplicaID(row["replica_id"])!,
            status: DeviceSummary.Status(rawValue: row["status"]) ?? .revoked,
            enrolledAt: date("enrolled_at"), lastSyncAt: date("last_sync_at"),
            pendingChanges: row["pending_changes"], appVersion: row["app_version"], protocolVersion: row["protocol_version"],
            pulledSeq: row["pulled_seq"], rebaseDueAt: date("rebase_due_at"), lastPushAt: date("last_push_at"), lastPullAt: date("last_pull_at"),
            report: (row["report"] as String?).flatMap { try? WireCoding.decode(TerminalReport.self, from: Data($0.utf8)) })
    }

    func insertOpsToken(_ token: OpsTokenRecord, tokenHash: String, at: Date) throws {
        try db.execute(sql: "INSERT INTO ops_token (id, name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [token.id, token.name, token.role.rawValue, tokenHash, at.timeIntervalSince1970])
    }

    func opsToken(tokenHash: String) throws -> OpsTokenRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM ops_token WHERE token_hash = ?"), arguments: [tokenHash]).map { row in
            OpsTokenRecord(id: row["id"], name: row["name"], role: OpsRole(rawValue: row["role"]) ?? .viewer,
                           revoked: (row["revoked_at"] as Double?) != nil)
        }
    }

    func revokeOpsToken(id: String, at: Date) throws -> Bool {
        try db.execute(sql: "UPDATE ops_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [at.timeIntervalSince1970, id])
        return db.changesCount > 0
    }

    func opsTokenCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ops_token") ?? 0
    }
}
