import HTTPTypes
import Hummingbird
import NIOCore

/// Compresses JSON answers (never photo bytes) for clients that ask (`Accept-Encoding: gzip`), and tells every
/// client that request bodies may be gzipped too (`Accept-Encoding: gzip` on the answer,
/// RFC 7694), so a handset compresses its pushes only once a server has said it can read them.
struct CompressionMiddleware: RouterMiddleware {
    typealias Context = GridSyncRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.acceptEncoding] = "gzip"
        // Photos are compressed already, and a gzipped range would not be the range asked for.
        guard response.headers[.contentType] != "application/octet-stream",
              ContentCoding.acceptsGzip(request.headers[.acceptEncoding]), response.headers[.contentEncoding] == nil,
              let length = response.body.contentLength, length >= ContentCoding.minimumBytes else { return response }
        let collector = BodyCollector()
        try await response.body.write(collector)
        response.body = ResponseBody(byteBuffer: try ContentCoding.gzip(collector.buffer))
        response.headers[.contentEncoding] = "gzip"
        response.headers[.vary] = "Accept-Encoding"
        return response
    }
}

/// Gathers a response body that is already in memory (every JSON answer here is), so it can
/// be compressed in one piece.
private final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
