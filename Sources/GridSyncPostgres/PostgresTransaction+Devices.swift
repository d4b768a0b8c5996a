import Foundation
import GridSyncCore
import GridSyncProtocol
import GridSyncServer
import PostgresNIO

extension PostgresTransaction: DeviceRegistry {
    static let deviceColumns = """
        id, worker, replica_id, status, enrolled_at, last_sync_at, pending_changes, app_version, protocol_version, installation_id,
        pulled_seq, rebase_due_at, last_push_at, last_pull_at, report
        """

    func device(_ lookup: DeviceLookup) throws -> RegisteredDevice? {
        let (column, value): (String, String) = switch lookup {
        case .id(let id): ("id", id)
        case .tokenHash(let hash): ("token_hash", hash)
        case .enrollmentCodeHash(let hash): ("enrollment_code_hash", hash)
        case .registrationKey(let key): ("registration_key", key)
        }
        var bindings = PostgresBindings()
        bindings.append(value)
        return try rows(PostgresQuery(unsafeSQL: "SELECT \(Self.deviceColumns) FROM device WHERE \(column) = $1", binds: bindings)).first.map { row in
            RegisteredDevice(device: try Self.device(from: row), installationID: try row["installation_id"].decode(String?.self))
        }
    }

    func devices() throws -> [DeviceRecord] {
        try rows(PostgresQuery(unsafeSQL: "SELECT \(Self.deviceColumns) FROM device ORDER BY worker, id")).map(Self.device(from:))
    }

    static func device(from row: PostgresRandomAccessRow) throws -> DeviceRecord {
        let date = { (column: String) in try row[column].decode(Double?.self).map(Date.init(timeIntervalSince1970:)) }
        return DeviceRecord(
            id: try row["id"].decode(String.self), worker: try row["worker"].decode(String.self),
            replicaID: ReplicaID(try row["replica_id"].decode(String.self))!,
            status: DeviceSummary.Status(rawValue: try row["status"].decode(String.self)) ?? .revoked,
            enrolledAt: try date("enrolled_at"), lastSyncAt: try date("last_sync_at"),
            pendingChanges: try row["pending_changes"].decode(Int64?.self).map(Int.init), appVersion: try row["app_version"].decode(String?.self),
            protocolVersion: try row["protocol_version"].decode(Int64?.self).map(Int.init),
            pulledSeq: try row["pulled_seq"].decode(Int64?.self), rebaseDueAt: try date("rebase_due_at"),
            lastPushAt: try date("last_push_at"), lastPullAt: try date("last_pull_at"),
            report: try row["report"].decode(String?.self).flatMap { try? WireCoding.decode(TerminalReport.self, from: Data($0.utf8)) })
    }

    func replicaIDs(ofWorker worker: String) throws -> [ReplicaID] {
        try rows("SELECT replica_id FROM device WHERE worker = \(FreeText.storable(worker))").compactMap { ReplicaID(try $0["replica_id"].decode(String.self)) }
    }

    func insertDevice(_ device: DeviceRecord, enrollmentCodeHash: String, registrationKey: String?, at: Date) throws {
        try execute("""
            INSERT INTO device (id, worker, replica_id, status, enrollment_code_hash, created_at, registration_key)
            VALUES (\(device.id), \(FreeText.storable(device.worker)), \(device.replicaID.rawValue), \(device.status.rawValue), \(enrollmentCodeHash),
                    \(at.timeIntervalSince1970), \(registrationKey))
            """)
    }

    func replaceEnrollmentCode(deviceID: String, hash: String) throws {
        try execute("UPDATE device SET enrollment_code_hash = \(hash) WHERE id = \(deviceID)")
    }

    func activate(deviceID: String, tokenHash: String, appVersion: String, protocolVersion: Int, installationID: String?, at: Date) throws {
        try execute("""
            UPDATE device SET status = 'active', token_hash = \(tokenHash), enrolled_at = \(at.timeIntervalSince1970),
                app_version = \(FreeText.storable(appVersion)), protocol_version = \(Int64(protocolVersion)), installation_id = \(installationID)
            WHERE id = \(deviceID)
            """)
    }

    func revoke(deviceID: String, at: Date) throws {
        try execute("UPDATE device SET status = 'revoked', revoked_at = \(at.timeIntervalSince1970) WHERE id = \(deviceID)")
    }

    func noteSync(_ sync: DeviceSync) throws {
        try execute("""
            UPDATE device SET last_sync_at = \(sync.at.timeIntervalSince1970),
                pending_changes = COALESCE(\(sync.pendingChanges.map(Int64.init))::bigint, pending_changes),
                app_version = COALESCE(\(sync.appVersion.map(FreeText.storable))::text, app_version),
                protocol_version = COALESCE(\(sync.protocolVersion.map(Int64.init))::bigint, protocol_version),
                last_push_at = COALESCE(\(sync.pushed ? sync.at.timeIntervalSince1970 : nil)::double precision, last_push_at),
                last_pull_at = COALESCE(\(sync.pulled ? sync.at.timeIntervalSince1970 : nil)::double precision, last_pull_at),
                report = COALESCE(\(try sync.report.map { String(decoding: try WireCoding.encode($0), as: UTF8.self) })::text, report)
            WHERE id = \(sync.deviceID)
            """)
    }

    func noteRefusal(deviceID: String, server: Bool, at: Date) throws {
        try execute("INSERT INTO device_refusal (device_id, at, server) VALUES (\(deviceID), \(at.timeIntervalSince1970), \(server))")
    }

    func refusalCounts(since: Date) throws -> [String: RefusalCount] {
        var counts: [String: RefusalCount] = [:]
        for row in try rows("""
            SELECT device_id, COUNT(*) FILTER (WHERE NOT server) AS client, COUNT(*) FILTER (WHERE server) AS server
            FROM device_refusal WHERE at >= \(since.timeIntervalSince1970) GROUP BY device_id
            """) {
            counts[try row["device_id"].decode(String.self)] = RefusalCount(client: Int(try row["client"].decode(Int64.self)),
                                                                            server: Int(try row["server"].decode(Int64.self)))
        }
        return counts
    }

    func forgetRefusals(before date: Date) throws {
        try execute("DELETE FROM device_refusal WHERE at < \(date.timeIntervalSince1970)")
    }

    func insertOpsToken(_ token: OpsTokenRecord, tokenHash: String, at: Date) throws {
        try execute("""
            INSERT INTO ops_token (id, name, role, token_hash, created_at)
            VALUES (\(token.id), \(FreeText.storable(token.name)), \(token.role.rawValue), \(tokenHash), \(at.timeIntervalSince1970))
            """)
    }

    func opsToken(tokenHash: String) throws -> OpsTokenRecord? {
        try rows("SELECT id, name, role, revoked_at FROM ops_token WHERE token_hash = \(tokenHash)").first.map { row in
            OpsTokenRecord(id: try row["id"].decode(String.self), name: try row["name"].decode(String.self),
                           role: OpsRole(rawValue: try row["role"].decode(String.self)) ?? .viewer,
                           revoked: try row["revoked_at"].decode(Double?.self) != nil)
        }
    }

    func revokeOpsToken(id: String, at: Date) throws -> Bool {
        !(try rows("UPDATE ops_token SET revoked_at = \(at.timeIntervalSince1970) WHERE id = \(id) AND revoked_at IS NULL RETURNING id")).isEmpty
    }

    func opsTokenCount() throws -> Int {
        Int(try rows("SELECT COUNT(*) AS n FROM ops_token")[0]["n"].decode(Int64.self))
    }
}
