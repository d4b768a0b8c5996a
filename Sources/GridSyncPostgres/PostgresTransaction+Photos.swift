import Foundation
import GridSyncCore
import GridSyncServer
import PostgresNIO

extension PostgresTransaction: PhotoIndex {
    func notePhotos(_ names: [RecordKey: Set<BlobDigest>]) throws {
        let rows = names.flatMap { key, digests in digests.map { (digest: $0.hex, kind: key.kind.rawValue, id: key.id.rawValue) } }
        guard !rows.isEmpty else { return }
        let digests = rows.map(\.digest), kinds = rows.map(\.kind), ids = rows.map(\.id)
        try execute("""
            INSERT INTO record_photo (digest, kind, id)
            SELECT * FROM unnest(\(digests)::text[], \(kinds)::text[], \(ids)::text[]) ON CONFLICT DO NOTHING
            """)
    }

    func isPhotoNamed(_ digest: BlobDigest, within roots: [GridPath]) throws -> Bool {
        var bindings = PostgresBindings()
        bindings.append(digest.hex)
        let scope = Self.subtree("g.grid", roots: roots, &bindings)
        return try rows(PostgresQuery(unsafeSQL: """
            SELECT EXISTS (SELECT 1 FROM record_photo p JOIN record_grid g ON g.kind = p.kind AND g.id = p.id
                           WHERE p.digest = $1 AND g.current AND \(scope)) AS named
            """, binds: bindings)).first.map { try $0["named"].decode(Bool.self) } ?? false
    }

    func recordsNaming(_ digest: BlobDigest) throws -> [RecordKey] {
        try rows("SELECT kind, id FROM record_photo WHERE digest = \(digest.hex) ORDER BY kind, id").compactMap { row in
            guard let kind = RecordKind(rawValue: try row["kind"].decode(String.self)),
                  let id = RecordID(try row["id"].decode(String.self)) else { return nil }
            return RecordKey(kind: kind, id: id)
        }
    }

    func namedPhotos(among digests: [BlobDigest]) throws -> Set<BlobDigest> {
        let hexes = digests.map(\.hex)
        return Set(try rows("SELECT DISTINCT digest FROM record_photo WHERE digest = ANY(\(hexes)::text[])").compactMap { row in
            BlobDigest(try row["digest"].decode(String.self))
        })
    }
}
