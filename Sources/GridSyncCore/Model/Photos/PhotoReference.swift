/// A record's reference to a photo. The record carries only the name and digest; the bytes
/// travel apart, as a blob named by `sha256` (`Protocol/README.md`, "Photos"), so that a
/// finding syncs at once however slowly its photos follow.
public struct PhotoReference: Codable, Sendable, Hashable, Validatable, Identified {
    public var id: RecordID
    /// The finding the photo documents, if any.
    public var findingID: RecordID?
    /// The handset's own name for the file; the server never reads it.
    public var uri: String
    /// The SHA-256 of the photo's bytes, in lower-case hex: the blob's name on the server. A
    /// reference without one names a photo that never leaves the handset.
    public var sha256: String?

    public init(id: RecordID, findingID: RecordID? = nil, uri: String, sha256: String? = nil) {
        self.id = id
        self.findingID = findingID
        self.uri = uri
        self.sha256 = sha256
    }

    public func validate(at field: String) throws {
        try TextRule.check(uri, at: field + ".uri", maximum: 512, required: true)
        if let sha256, BlobDigest(sha256) == nil {
            throw ValidationError(.wrongType, field: field + ".sha256", "sha256 is 64 lower-case hex digits")
        }
    }
}
