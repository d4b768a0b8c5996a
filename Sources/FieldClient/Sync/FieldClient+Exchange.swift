import Foundation
import GRDB
import GridSyncCore
import GridSyncProtocol

extension FieldClient {
    /// Sends one request, retrying what is worth retrying: no connection, 5xx, 429 and 503
    /// (honouring `Retry-After`). Anything else is returned for the caller to judge. A caller
    /// that can come back later (photo uploads) passes `waitsOutPauses: false` and gets the
    /// server's pause back instead of waiting it out.
    func exchange(_ method: String, _ path: String, body: Data?, token: String?, headers extra: [String: String] = [:],
                  waitsOutPauses: Bool = true, report: inout SyncReport) async throws -> TransportResponse {
        var headers = [WireProtocol.versionHeader: String(WireProtocol.version), "Content-Type": "application/json"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        headers.merge(extra) { _, new in new }
        let request = TransportRequest(method: method, path: path, headers: headers, body: body)
        var attempt = 0, pauses = 0
        while true {
            var retryAfter: Duration?
            let failure: String
            var unreachable = false
            do {
                let response = try await transport.send(request)
                count(sent: body?.count ?? 0, received: response.body.count)
                let transient = response.status >= 500 || response.status == 429
                if !transient { return response }
                retryAfter = response.headers["retry-after"].flatMap(Int.init).map { .seconds($0) }
                if retryAfter != nil && !waitsOutPauses { return response }
                failure = "the server is busy (HTTP \(response.status))"
            } catch let error as TransportFailure {
                count(sent: body?.count ?? 0, received: 0)
                failure = "no connection to the server (\(error.description))"
                unreachable = true
            }
            // A pause the server asked for is pacing, not failure: it has its own budget.
            if retryAfter != nil { pauses += 1 } else { attempt += 1 }
            guard attempt < configuration.retry.maxAttempts, pauses <= configuration.retry.maxServerPauses else {
                throw FieldClientError(unreachable ? .unreachable : .server, failure + ": will retry at the next sync")
            }
            report.retries += 1
            try await configuration.sleep(configuration.retry.delay(attempt: max(attempt, 1), retryAfter: retryAfter, random: &random))
        }
    }

    /// Like ``exchange(_:_:body:token:report:)`` for a request whose 200 answer is JSON of type
    /// `T`: a 200 whose body arrives cut off, or fails `valid`, is asked for again, a bounded
    /// number of times. That is safe because every call is idempotent. Returns the answer and,
    /// for a 200, its decoded body.
    func exchange<T: Decodable>(_ method: String, _ path: String, body: Data?, token: String?, headers: [String: String] = [:],
                                expecting type: T.Type, valid: (T) -> Bool = { _ in true }, waitsOutPauses: Bool = true,
                                report: inout SyncReport) async throws -> (TransportResponse, T?) {
        var attempt = 0
        while true {
            attempt += 1
            let response = try await exchange(method, path, body: body, token: token, headers: headers,
                                              waitsOutPauses: waitsOutPauses, report: &report)
            guard response.status == 200 else { return (response, nil) }
            if let value = try? WireCoding.decode(type, from: response.body), valid(value) { return (response, value) }
            guard attempt < configuration.retry.maxAttempts else {
                throw FieldClientError(.server, "the server's answer kept arriving damaged: will retry at the next sync")
            }
            report.retries += 1
            try await configuration.sleep(configuration.retry.delay(attempt: attempt, retryAfter: nil, random: &random))
        }
    }

    /// A 200 with a JSON body of type `T`, or the server's refusal thrown.
    func exchangeJSON<T: Decodable>(_ type: T.Type, _ method: String, _ path: String, body: Data?, token: String?,
                                    report: inout SyncReport) async throws -> T {
        let (response, value) = try await exchange(method, path, body: body, token: token, expecting: type, report: &report)
        guard let value else { throw Self.refusal(response) }
        return value
    }

    /// A permanent refusal, worded from the server's error envelope.
    static func refusal(_ response: TransportResponse) -> FieldClientError {
        let error = try? WireCoding.decode(ErrorEnvelope.self, from: response.body).error
        let message = error?.message ?? "the server answered HTTP \(response.status)"
        switch response.status {
        case 401, 403: return FieldClientError(.unauthorized, message)
        case 426: return FieldClientError(.upgradeRequired, message)
        default: return FieldClientError(.server, message)
        }
    }

    /// Counted in memory and saved with the sync's last transaction: a commit per request
    /// only for a statistic cost the storm real time.
    private func count(sent: Int, received: Int) {
        unsavedBytes.sent += sent
        unsavedBytes.received += received
    }

    /// Saves the byte counters inside a transaction the caller is already paying for.
    static func flushByteCounts(_ db: Database, _ counts: (sent: Int, received: Int)) throws {
        try Meta.bytesSent.add(counts.sent, db)
        try Meta.bytesReceived.add(counts.received, db)
    }
}
