import CompressNIO
import Foundation
import GridSyncProtocol
import NIOCore

/// How a thin terminal talks: bearer token and protocol header, a pushed body gzipped when
/// compression is on, and a pull page read only as far as the storm needs (ids, cursor,
/// `hasMore`), after inflating it when the server compressed it.
struct StormCodec: Sendable {
    var gzip: Bool

    /// The parts of a pull page the storm reads.
    struct Page: Decodable {
        struct Record: Decodable { var kind: String; var id: String }
        var cursor: String
        var hasMore: Bool
        var records: [Record]
        /// Records on the page, when only counted.
        var count = 0

        private enum CodingKeys: String, CodingKey { case cursor, hasMore, records }

        init(cursor: String, hasMore: Bool, records: [Record], count: Int = 0) {
            self.cursor = cursor
            self.hasMore = hasMore
            self.records = records
            self.count = count
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            cursor = try container.decode(String.self, forKey: .cursor)
            hasMore = try container.decode(Bool.self, forKey: .hasMore)
            records = try container.decode([Record].self, forKey: .records)
            count = records.count
        }

        /// What a storm terminal needs, read without a JSON parser: the canonical page starts
        /// `{"cursor":"…","hasMore":…`, and each record `{"deleted":` (keys sorted; a string
        /// value cannot hold an unescaped quote).
        static func skim(_ body: ByteBuffer) throws -> Page {
            let bytes = Array(body.readableBytesView)
            let prefix = Array(#"{"cursor":""#.utf8)
            guard bytes.starts(with: prefix), let end = bytes[prefix.count...].firstIndex(of: UInt8(ascii: "\"")) else {
                throw StormFailure("a pull page that does not start with its cursor")
            }
            let cursor = String(decoding: bytes[prefix.count..<end], as: UTF8.self)
            let hasMore = bytes[(end + 1)...].starts(with: Array(#","hasMore":true"#.utf8))
            let marker = Array(#"{"deleted":"#.utf8)
            var count = 0, index = end
            while index + marker.count <= bytes.count {
                if bytes[index] == marker[0] && bytes[index..<(index + marker.count)].elementsEqual(marker) {
                    count += 1
                    index += marker.count
                } else {
                    index += 1
                }
            }
            return Page(cursor: cursor, hasMore: hasMore, records: [], count: count)
        }
    }

    struct PulledPage {
        var status: Int
        var page: Page
        var wireBytes: Int
        var bytes: Int
        var retryAfter: Double?
    }

    func headers(token: String) -> [(String, String)] {
        var headers = [("Authorization", "Bearer \(token)"), (WireProtocol.versionHeader, String(WireProtocol.version))]
        if gzip { headers.append(("Accept-Encoding", "gzip")) }
        return headers
    }

    func push(_ body: ByteBuffer, token: String, on exchange: inout ThinConnection.Exchange) async throws -> ThinConnection.Answer {
        var headers = headers(token: token) + [("Content-Type", "application/json")]
        var body = body
        if gzip {
            body = try body.compress(with: .gzip())
            headers.append(("Content-Encoding", "gzip"))
        }
        var answer = try await exchange.send(.POST, "/v1/push", headers: headers, body: body)
        answer.body = try inflated(answer)
        return answer
    }

    /// One page; a 503 comes back with an empty page and the server's `Retry-After`.
    /// One page; `read` lists its records (for checking) instead of only counting them.
    func pull(cursor: String, token: String, read: Bool = false, on exchange: inout ThinConnection.Exchange) async throws -> PulledPage {
        let query = cursor.isEmpty ? "" : "?cursor=\(cursor)"
        let answer = try await exchange.send(.GET, "/v1/pull\(query)", headers: headers(token: token))
        if answer.status == 503 {
            return PulledPage(status: 503, page: Page(cursor: cursor, hasMore: true, records: []), wireBytes: answer.wireBytes, bytes: 0,
                              retryAfter: answer.headers.first(name: "Retry-After").flatMap(Double.init) ?? 1)
        }
        guard answer.status == 200 else { throw StormFailure("pull: HTTP \(answer.status)") }
        let body = try inflated(answer)
        let page = read ? try JSONDecoder().decode(Page.self, from: Data(body.readableBytesView)) : try Page.skim(body)
        return PulledPage(status: 200, page: page, wireBytes: answer.wireBytes, bytes: body.readableBytes, retryAfter: nil)
    }

    private func inflated(_ answer: ThinConnection.Answer) throws -> ByteBuffer {
        guard answer.headers.first(name: "Content-Encoding")?.lowercased() == "gzip" else { return answer.body }
        var body = answer.body
        return try body.decompress(with: .gzip())
    }
}
