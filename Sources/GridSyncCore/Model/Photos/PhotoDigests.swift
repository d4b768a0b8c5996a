/// The blobs a record names. The server keeps an index of them, because a device may download
/// a photo only while a record in its scope names it, and an unnamed blob is garbage.
public enum PhotoDigests {
    /// Every digest `state` names in a photo collection, in any sibling, and in the snapshot a
    /// delete keeps: a record brought back by ops gets its photos back with it.
    public static func named(by state: RecordState, snapshot: DeleteSnapshot? = nil, kind: RecordKind) -> Set<BlobDigest> {
        let photos = kind.schema.photoProperties
        guard !photos.isEmpty else { return [] }
        var found: Set<BlobDigest> = []
        for (path, values) in state.entries where photos.contains(String(path.property)) {
            for value in values.values { digest(in: value).map { found.insert($0) } }
        }
        if let snapshot {
            for (path, value) in snapshot.agreed where photos.contains(String(path.property)) { digest(in: value).map { found.insert($0) } }
            for (path, values) in snapshot.contested where photos.contains(String(path.property)) {
                for value in values.values { digest(in: value).map { found.insert($0) } }
            }
        }
        return found
    }

    /// The digests a change's writes name: the photos a handset must upload once the change is
    /// acknowledged.
    public static func named(by change: Change) -> Set<BlobDigest> {
        let photos = change.record.kind.schema.photoProperties
        guard !photos.isEmpty else { return [] }
        return Set(change.writes.compactMap { path, write in photos.contains(String(path.property)) ? digest(in: write.value) : nil })
    }

    private static func digest(in value: FieldValue) -> BlobDigest? {
        value.objectValue?["sha256"]?.stringValue.flatMap(BlobDigest.init)
    }
}

extension RecordSchema {
    /// The collections whose elements are photo references.
    public var photoProperties: Set<String> {
        Set(properties.values.filter(\.holdsPhotos).map(\.name))
    }
}
