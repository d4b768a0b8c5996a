import GridSyncCore

/// Which records name which blobs, inside one transaction. A device may download a photo only
/// while a record in its scope names it, and a blob no record names is garbage once its grace
/// period is over (``PhotoLibrary``).
///
/// Names are only ever added: photo collections are append-only, and a deleted record keeps
/// what it held in its delete snapshot. So the index never forgets a name too early, and
/// garbage collection never takes a blob a record might show again.
public protocol PhotoIndex {
    /// Notes that each record names these blobs (again, harmlessly).
    func notePhotos(_ names: [RecordKey: Set<BlobDigest>]) throws
    /// Whether a record whose current grid lies under one of `roots` names the blob.
    func isPhotoNamed(_ digest: BlobDigest, within roots: [GridPath]) throws -> Bool
    /// The records that name a blob, in key order.
    func recordsNaming(_ digest: BlobDigest) throws -> [RecordKey]
    /// Those of `digests` that some record names.
    func namedPhotos(among digests: [BlobDigest]) throws -> Set<BlobDigest>
}
