import CompressNIO
import Foundation
import GridSyncProtocol
import HTTPTypes
import NIOCore

/// gzip on the wire, both ways. `Protocol/README.md`, "Compression".
///
/// A pull page is mostly the same JSON names, dots and grid paths, record after record, so it
/// shrinks about eightfold: on 3G in a basement that is the difference between a sync that
/// finishes and one cut off. The fastest level is used because a storm's server is CPU-bound,
/// and it gets most of the gain.
enum ContentCoding {
    /// Bodies smaller than this go as they are: gzip's header would eat the gain.
    static let minimumBytes = 1_024
    static let level = ZlibConfiguration(compressionLevel: .fastestCompression)

    /// True when an `Accept-Encoding` value admits gzip (not refused with `q=0`).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        for member in header.split(separator: ",") {
            let parts = member.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, coding == "gzip" || coding == "x-gzip" || coding == "*" else { continue }
            let refused = parts.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "").range(of: #"^q=0(\.0*)?$"#, options: .regularExpression) != nil }
            return !refused
        }
        return false
    }

    static func gzip(_ buffer: ByteBuffer) throws -> ByteBuffer {
        var input = buffer
        return try input.compress(with: .gzip(configuration: level))
    }

    /// The request body as sent, inflated when its `Content-Encoding` says gzip; at most
    /// `limit` bytes either way, so a small bomb cannot become a large body.
    static func decoded(_ body: ByteBuffer, contentEncoding: String?, limit: Int) throws -> ByteBuffer {
        let coding = contentEncoding?.trimmingCharacters(in: .whitespaces).lowercased() ?? "identity"
        switch coding {
        case "identity", "":
            return body
        case "gzip", "x-gzip":
            var input = body
            do {
                // `maxSize` bounds the memory (buffers round up, so at most about twice the
                // limit); the size is checked here exactly.
                let inflated = try input.decompress(with: .gzip(), maxSize: limit)
                guard inflated.readableBytes <= limit else { throw APIError.tooLarge(limit: limit) }
                return inflated
            } catch let error as APIError {
                throw error
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw APIError.tooLarge(limit: limit)
            } catch {
                throw APIError(.badRequest, .malformedEncoding, "the body says Content-Encoding: gzip but is not valid gzip")
            }
        default:
            // The coding is named by its kind only: a header value is never echoed.
            throw APIError(.unsupportedMediaType, .unsupportedEncoding, "unsupported Content-Encoding: send the body as gzip or uncompressed")
        }
    }
}
