import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GridSyncCore
import GridSyncProtocol

/// The few admin calls the simulator makes as the command centre: import the hierarchy and
/// enrol terminals.
struct AdminAPI: Sendable {
    let baseURL: URL
    let token: String
    let session: URLSession

    func replaceHierarchy(_ hierarchy: GridHierarchy) async throws {
        _ = try await send("PUT", "v1/admin/grids", body: try WireCoding.encode(hierarchy))
    }

    /// A one-time enrolment code for a terminal of `worker`. `key` names this registration, so
    /// the retries below, after an answer lost on the way, never register a second device.
    func enrollmentCode(worker: String, grids: [GridPath], key: String) async throws -> String {
        let data = try await send("POST", "v1/admin/devices", body: try WireCoding.encode(DeviceEnrollmentRequest(worker: worker, grids: grids)),
                                  headers: ["Idempotency-Key": key])
        return try WireCoding.decode(DeviceEnrollment.self, from: data).enrollmentCode
    }

    /// The command centre's view of a record in conflict.
    func conflict(_ key: RecordKey) async throws -> ConflictDetail {
        let data = try await send("GET", "v1/admin/conflicts/\(key.kind.rawValue)/\(key.id.rawValue)", body: nil)
        return try WireCoding.decode(ConflictDetail.self, from: data)
    }

    /// Settles a conflict as ops decided.
    func resolve(_ key: RecordKey, _ request: ResolveRequest) async throws -> ResolveResponse {
        let data = try await send("POST", "v1/admin/conflicts/\(key.kind.rawValue)/\(key.id.rawValue)/resolve", body: try WireCoding.encode(request))
        return try WireCoding.decode(ResolveResponse.self, from: data)
    }

    /// Moves a work order as the command centre. A move whose answer was lost and that is sent
    /// again finds the order already moved (`illegal_transition`): it is done, not failed.
    func moveOrder(_ id: RecordID, _ request: OrderMoveRequest) async throws {
        do {
            _ = try await send("POST", "v1/admin/orders/\(id.rawValue)/move", body: try WireCoding.encode(request))
        } catch let error as SimulationError {
            guard try await order(id).order.states == [request.to] else { throw error }
        }
    }

    func order(_ id: RecordID) async throws -> OrderDetail {
        try WireCoding.decode(OrderDetail.self, from: try await send("GET", "v1/admin/orders/\(id.rawValue)", body: nil))
    }

    func orders() async throws -> OrderList {
        try WireCoding.decode(OrderList.self, from: try await send("GET", "v1/admin/orders", body: nil))
    }

    func orderStats() async throws -> OrderStats {
        try WireCoding.decode(OrderStats.self, from: try await send("GET", "v1/admin/orders/stats", body: nil))
    }

    func conflicts(kind: RecordKind) async throws -> ConflictList {
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "kind", value: kind.rawValue)]
        return try WireCoding.decode(ConflictList.self, from: try await send("GET", "v1/admin/conflicts", query: components.percentEncodedQuery, body: nil))
    }

    /// A photo's bytes, or `nil` when the server does not hold it.
    func photo(_ digest: BlobDigest) async throws -> Data? {
        do {
            return try await send("GET", "v1/admin/blobs/\(digest.hex)/content", body: nil)
        } catch let error as SimulationError where error.status == 404 {
            return nil
        }
    }

    /// Erases a household on request (PIPL), as an admin does.
    func erase(_ id: RecordID, reason: String) async throws -> ErasureReport {
        let data = try await send("POST", "v1/admin/households/\(id.rawValue)/erase", body: try WireCoding.encode(EraseRequest(reason: reason)))
        return try WireCoding.decode(ErasureReport.self, from: data)
    }

    func erasures() async throws -> ErasureList {
        try WireCoding.decode(ErasureList.self, from: try await send("GET", "v1/admin/households/erasures", body: nil))
    }

    private func send(_ method: String, _ path: String, query: String? = nil, body: Data?, headers: [String: String] = [:]) async throws -> Data {
        var url = baseURL.appendingPathComponent(path)
        if let query, var components = URLComponents(url: url, resolvingAgainstBaseURL: false) {
            components.percentEncodedQuery = query
            url = components.url ?? url
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.setValue(String(WireProtocol.version), forHTTPHeaderField: WireProtocol.versionHeader)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for attempt in 1...20 {
            do {
                let (data, response) = try await session.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                if (200..<300).contains(status) { return data }
                if status < 500 {
                    let message = (try? WireCoding.decode(ErrorEnvelope.self, from: data).error.message) ?? "HTTP \(status)"
                    throw SimulationError("admin \(method) /\(path) refused: \(message)", status: status)
                }
            } catch let error as SimulationError {
                throw error
            } catch {
                if attempt == 20 { throw SimulationError("admin \(method) /\(path) failed: \(error)") }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SimulationError("admin \(method) /\(path) kept failing")
    }
}
