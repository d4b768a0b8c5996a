import Foundation
import GRDB
import GridSyncCore
import GridSyncServer

extension SQLiteTransaction: PhotoIndex {
    func notePhotos(_ names: [RecordKey: Set<BlobDigest>]) throws {
        let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO record_photo (digest, kind, id) VALUES (?, ?, ?)")
        for (key, digests) in names {
            for digest in digests { try statement.execute(arguments: [digest.hex, key.kind.rawValue, key.id.rawValue]) }
        }
    }

    func isPhotoNamed(_ digest: BlobDigest, within roots: [GridPath]) throws -> Bool {
        let scope = GridPath.subtreeCondition("g.grid", roots: roots)
        return try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM record_photo p JOIN record_grid g ON g.kind = p.kind AND g.id = p.id
                           WHERE p.digest = ? AND g.current = 1 AND \(scope.sql))
            """, arguments: [digest.hex] + scope.arguments) ?? false
    }

    func recordsNaming(_ digest: BlobDigest) throws -> [RecordKey] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT kind, id FROM record_photo WHERE digest = ? ORDER BY kind, id"),
                         arguments: [digest.hex]).compactMap { row in
            RecordKind(rawValue: row["kind"]).flatMap { kind in RecordID(row["id"] as String).map { RecordKey(kind: kind, id: $0) } }
        }
    }

    func namedPhotos(among digests: [BlobDigest]) throws -> Set<BlobDigest> {
        var named: Set<BlobDigest> = []
        // In slices, under SQLite's limit on bound parameters.
        for start in stride(from: 0, to: digests.count, by: 500) {
            let slice = digests[start..<min(start + 500, digests.count)]
            let marks = Array(repeating: "?", count: slice.count).joined(separator: ", ")
            for text in try String.fetchAll(db, sql: "SELECT DISTINCT digest FROM record_photo WHERE digest IN (\(marks))",
                                            arguments: StatementArguments(slice.map(\.hex))) {
                BlobDigest(text).map { named.insert($0) }
            }
        }
        return named
    }
}
