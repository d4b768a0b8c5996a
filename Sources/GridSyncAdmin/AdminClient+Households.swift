import Foundation
import GridSyncCore
import GridSyncProtocol

/// Households (masked views, erasure) and photos. `Protocol/README.md`, "Admin: households",
/// "Photos".
extension AdminClient {
    /// - Parameter reveal: unmasked (admin role; audited).
    public func household(_ id: RecordID, reveal: Bool = false) async throws -> HouseholdDetail {
        try await get(HouseholdDetail.self, "v1/admin/households/\(id.rawValue)", query: reveal ? ["reveal": "true"] : [:])
    }

    /// Erases a household on request (PIPL).
    public func erase(_ id: RecordID, reason: String) async throws -> ErasureReport {
        try await send(ErasureReport.self, "POST", "v1/admin/households/\(id.rawValue)/erase", body: EraseRequest(reason: reason))
    }

    public func erasures() async throws -> ErasureList {
        try await get(ErasureList.self, "v1/admin/households/erasures")
    }

    /// What the server holds of a photo and which records name it.
    public func photoDetails(_ digest: BlobDigest) async throws -> BlobDetails {
        try await get(BlobDetails.self, "v1/admin/blobs/\(digest.hex)")
    }

    /// A photo's bytes (audited); `notFound` when the server does not hold it.
    public func photoContent(_ digest: BlobDigest) async throws -> Data {
        try await send("GET", "v1/admin/blobs/\(digest.hex)/content", body: nil)
    }

    /// A photo's bytes, or `nil` when the server does not hold it.
    public func photo(_ digest: BlobDigest) async throws -> Data? {
        do {
            return try await photoContent(digest)
        } catch let error as AdminError where error.kind == .notFound {
            return nil
        }
    }
}
