import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol

extension FieldClient {
    /// Trades the one-time code from the command centre for this handset's identity.
    ///
    /// A re-installed handset enrols afresh: it gets a new replica id, so it never reuses a
    /// counter its previous life already spent, and its first sync pulls its whole scope.
    @discardableResult
    public func enroll(code: String) async throws -> DeviceIdentity {
        var report = SyncReport()
        let installation = try await installationID()
        let body = try WireCoding.encode(EnrollRequest(enrollmentCode: code, appVersion: configuration.appVersion, installationId: installation))
        // A damaged answer is asked for again: the installation id makes the repeat safe.
        let enrolled = try await exchangeJSON(EnrollResponse.self, "POST", "/v1/enroll", body: body, token: nil, report: &report)
        try await pool.write { db in
            try Meta.deviceID.set(enrolled.deviceId, db)
            try Meta.replicaID.set(enrolled.replicaId.rawValue, db)
            try Meta.token.set(enrolled.token, db)
            try Meta.worker.set(enrolled.worker, db)
            try Meta.scope.set(String(decoding: try LocalCoding.encode(enrolled.scope), as: UTF8.self), db)
            try Meta.limits.set(String(decoding: try LocalCoding.encode(enrolled.limits), as: UTF8.self), db)
            try Meta.cursor.set(nil, db)
        }
        try reloadIdentity()
        return try requireIdentity()
    }

    /// This installation's id, minted on first use and kept in the replica file.
    func installationID() async throws -> String {
        let fresh = configuration.makeChangeID()
        return try await pool.write { db in
            if let existing = try Meta.installationID.get(db) { return existing }
            try Meta.installationID.set(fresh, db)
            return fresh
        }
    }
}
