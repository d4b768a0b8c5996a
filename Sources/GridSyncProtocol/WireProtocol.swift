import GridSyncCore

/// Version negotiation for the sync and admin APIs. `Protocol/README.md`, "Versions".
///
/// Every request carries `GridSync-Protocol: <version>`. A server that does not speak the
/// client's version answers 426 with the versions it does speak, so an old handset can tell its
/// worker to update the app rather than fail in some obscure way. A server keeps speaking older
/// versions while a fleet updates: it never sends a handset a record kind its version lacks.
public enum WireProtocol {
    /// The version this build speaks. Version 2 added work orders.
    public static let version = 2
    /// Versions this build's server accepts.
    public static let supportedVersions = [1, 2]
    /// The request header that names the client's version.
    public static let versionHeader = "GridSync-Protocol"
    /// The request header a client may set to correlate logs; the server echoes or mints one.
    public static let requestIDHeader = "X-Request-ID"
}

/// Limits a server enforces, published in the enrolment response and `/health` so clients can
/// size batches before they hit them. `Protocol/README.md`, "Limits".
public struct SyncLimits: Codable, Sendable, Hashable {
    /// Changes in one push.
    public var maxChangesPerPush: Int
    /// Bytes in one request body.
    public var maxBodyBytes: Int
    /// Records in one pull page.
    public var maxPullPage: Int
    /// Replicas one change's clock may name; fixed by the protocol.
    public var maxClockEntries: Int
    /// Dots one change may supersede; fixed by the protocol.
    public var maxSupersedes: Int
    /// Replicas one record's clock may name; fixed by the protocol.
    public var maxRecordReplicas: Int
    /// Levels of arrays and objects one field value may nest; fixed by the protocol.
    public var maxValueDepth: Int
    /// Bytes of canonical JSON one field value may take; fixed by the protocol.
    public var maxValueBytes: Int
    /// Bytes of canonical JSON one record's state may take; fixed by the protocol.
    public var maxRecordBytes: Int
    /// Bytes of the largest blob (photo) the server accepts: a larger one is refused before
    /// any of it is sent.
    public var maxBlobBytes: Int
    /// Bytes of every chunk of a blob upload but the last: what one cut connection can cost.
    public var blobChunkBytes: Int

    public init(maxChangesPerPush: Int = 500, maxBodyBytes: Int = 4 << 20, maxPullPage: Int = 500,
                maxBlobBytes: Int = 32 << 20, blobChunkBytes: Int = 256 << 10) {
        self.maxChangesPerPush = maxChangesPerPush
        self.maxBodyBytes = maxBodyBytes
        self.maxPullPage = maxPullPage
        self.maxBlobBytes = maxBlobBytes
        self.blobChunkBytes = blobChunkBytes
        self.maxClockEntries = Change.maximumClockEntries
        self.maxSupersedes = Change.maximumSupersedes
        self.maxRecordReplicas = RecordState.maximumReplicas
        self.maxValueDepth = FieldValueBounds.maximumDepth
        self.maxValueBytes = FieldValueBounds.maximumBytes
        self.maxRecordBytes = FieldValueBounds.maximumRecordBytes
    }

    private enum CodingKeys: String, CodingKey {
        case maxChangesPerPush, maxBodyBytes, maxPullPage, maxClockEntries, maxSupersedes, maxRecordReplicas
        case maxValueDepth, maxValueBytes, maxRecordBytes, maxBlobBytes, blobChunkBytes
    }

    /// Limits stored by an older build lack the clock limits (the protocol's anyway) and the blob
    /// limits (the defaults).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(maxChangesPerPush: try container.decode(Int.self, forKey: .maxChangesPerPush),
                  maxBodyBytes: try container.decode(Int.self, forKey: .maxBodyBytes),
                  maxPullPage: try container.decode(Int.self, forKey: .maxPullPage))
        maxClockEntries = try container.decodeIfPresent(Int.self, forKey: .maxClockEntries) ?? maxClockEntries
        maxSupersedes = try container.decodeIfPresent(Int.self, forKey: .maxSupersedes) ?? maxSupersedes
        maxRecordReplicas = try container.decodeIfPresent(Int.self, forKey: .maxRecordReplicas) ?? maxRecordReplicas
        maxValueDepth = try container.decodeIfPresent(Int.self, forKey: .maxValueDepth) ?? maxValueDepth
        maxValueBytes = try container.decodeIfPresent(Int.self, forKey: .maxValueBytes) ?? maxValueBytes
        maxRecordBytes = try container.decodeIfPresent(Int.self, forKey: .maxRecordBytes) ?? maxRecordBytes
        maxBlobBytes = try container.decodeIfPresent(Int.self, forKey: .maxBlobBytes) ?? maxBlobBytes
        blobChunkBytes = try container.decodeIfPresent(Int.self, forKey: .blobChunkBytes) ?? blobChunkBytes
    }
}
