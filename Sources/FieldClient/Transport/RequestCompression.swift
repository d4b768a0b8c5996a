import CompressNIO
import Foundation
import NIOCore
import Synchronization

/// Gzips request bodies once the server has said it reads them (`Accept-Encoding: gzip` on
/// any answer, RFC 7694), and stops again if it ever answers 415: a push of 500 visits shrinks
/// about fifteenfold, which on a weak signal decides whether it gets through at all.
/// Answers need nothing here: URLSession asks for gzip and inflates it by itself.
final class RequestCompression: Sendable {
    /// Bodies smaller than this go as they are.
    static let minimumBytes = 1_024
    private let serverAccepts = Mutex(false)

    /// The request as it should go out now.
    func prepare(_ request: TransportRequest) -> TransportRequest {
        // Photos are compressed already: gzip would spend the battery for nothing.
        guard request.headers["Content-Type"] != "application/octet-stream",
              serverAccepts.withLock({ $0 }), let body = request.body, body.count >= Self.minimumBytes,
              let compressed = try? Self.gzip(body) else { return request }
        var request = request
        request.body = compressed
        request.headers["Content-Encoding"] = "gzip"
        return request
    }

    /// Learns from an answer. True when `sent` was compressed and refused for it, so it should
    /// be sent again as it was.
    func learn(from response: TransportResponse, sent: TransportRequest) -> Bool {
        if response.status == 415 && sent.headers["Content-Encoding"] != nil {
            serverAccepts.withLock { $0 = false }
            return true
        }
        if let accepted = response.headers["accept-encoding"] {
            serverAccepts.withLock { $0 = accepted.lowercased().contains("gzip") }
        }
        return false
    }

    static func gzip(_ data: Data) throws -> Data {
        var buffer = ByteBuffer(bytes: data)
        let compressed = try buffer.compress(with: .gzip(configuration: ZlibConfiguration(compressionLevel: .fastestCompression)))
        return Data(compressed.readableBytesView)
    }
}
