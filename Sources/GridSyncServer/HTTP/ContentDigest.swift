import Foundation
import GridSyncCore
import HTTPTypes

/// `Content-Digest` (RFC 9530), as a blob chunk carries it: `sha-256=:<base64 of 32 bytes>:`.
/// Other algorithms in the list are ignored.
enum ContentDigest {
    static func sha256(_ header: String?) -> BlobDigest? {
        guard let header else { return nil }
        for member in header.split(separator: ",") {
            let parts = member.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "sha-256" else { continue }
            let value = parts[1]
            guard value.count > 2, value.first == ":", value.last == ":",
                  let bytes = Data(base64Encoded: String(value.dropFirst().dropLast())), bytes.count == 32 else { return nil }
            return BlobDigest(bytes: bytes)
        }
        return nil
    }
}

extension HTTPField.Name {
    static let contentDigest = HTTPField.Name("Content-Digest")!
}
