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

    private func send(_ method: String, _ path: String, body: Data?, headers: [String: String] = [:]) async throws -> Data {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.setValue("1", forHTTPHeaderField: WireProtocol.versionHeader)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for attempt in 1...20 {
            do {
                let (data, response) = try await session.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                if (200..<300).contains(status) { return data }
                if status < 500 {
                    let message = (try? WireCoding.decode(ErrorEnvelope.self, from: data).error.message) ?? "HTTP \(status)"
                    throw SimulationError("admin \(method) /\(path) refused: \(message)")
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
