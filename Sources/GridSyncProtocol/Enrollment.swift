import GridSyncCore

/// `POST /v1/enroll`: a handset trades the one-time code ops gave its worker for a device token.
/// `Protocol/README.md`, "Enrolment".
public struct EnrollRequest: Codable, Sendable, Hashable {
    public var enrollmentCode: String
    public var appVersion: String
    public var deviceModel: String?
    /// A random id the app mints once per installation. Presenting a used code again with the
    /// same installation id (the first answer was lost to bad signal) issues a fresh token for
    /// the same device instead of refusing.
    public var installationId: String?

    public init(enrollmentCode: String, appVersion: String, deviceModel: String? = nil, installationId: String? = nil) {
        self.enrollmentCode = enrollmentCode
        self.appVersion = appVersion
        self.deviceModel = deviceModel
        self.installationId = installationId
    }
}

/// The device's identity. `token` is shown only here; the server keeps only its hash.
public struct EnrollResponse: Codable, Sendable, Hashable {
    public var deviceId: String
    /// The replica id this device writes its dots under. A re-installed handset gets a new one.
    public var replicaId: ReplicaID
    public var token: String
    public var worker: String
    /// The grid paths this device may read and write; each covers everything below it.
    public var scope: [GridPath]
    public var limits: SyncLimits

    public init(deviceId: String, replicaId: ReplicaID, token: String, worker: String, scope: [GridPath], limits: SyncLimits) {
        self.deviceId = deviceId
        self.replicaId = replicaId
        self.token = token
        self.worker = worker
        self.scope = scope
        self.limits = limits
    }
}
