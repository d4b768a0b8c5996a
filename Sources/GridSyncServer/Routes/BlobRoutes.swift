import Foundation
import GridSyncCore
import GridSyncProtocol
import HTTPTypes
import Hummingbird

/// Photos from and to handsets: resumable, content-addressed uploads and scoped downloads.
/// `Protocol/README.md`, "Photos".
struct BlobRoutes {
    let environment: ServerEnvironment

    func register(on group: RouterGroup<GridSyncRequestContext>) {
        group.post("blobs/:sha256", use: environment.countingRefusals(begin))
        group.put("blobs/:sha256/chunks/:index", use: environment.countingRefusals(putChunk))
        group.get("blobs/:sha256", use: environment.countingRefusals(download))
    }

    @Sendable func begin(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        try await Self.closing { try await start(request, context: context) }
    }

    @Sendable func putChunk(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        try await Self.closing { try await chunk(request, context: context) }
    }

    private func start(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        try await yieldToRecords()
        _ = try await environment.authenticator.device(request)
        let digest = try Self.digest(context)
        var request = request
        let body = try await request.decodeJSON(BlobUploadRequest.self, limit: 4 << 10)
        guard body.size >= 0 else { throw APIError.invalid("size is the blob's length in bytes", field: "size") }
        return try JSONBody.response(try await refusing { try await environment.photos.begin(digest, size: body.size, at: environment.now()) })
    }

    private func chunk(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        try await yieldToRecords()
        _ = try await environment.authenticator.device(request)
        let digest = try Self.digest(context)
        guard let index = context.parameters.get("index").flatMap(Int.init), index >= 0 else {
            throw APIError.invalid("the chunk index is a whole number from 0", field: "index")
        }
        guard let chunkDigest = ContentDigest.sha256(request.headers[.contentDigest]) else {
            throw APIError.invalid("send the chunk's SHA-256 as Content-Digest: sha-256=:<base64>:", field: "Content-Digest")
        }
        try await environment.refusingOverload(environment.blobGate) { try $0.refuseIfFull() }
        var request = request
        // Read outside the gate: a chunk trickling in over 3G holds no slot.
        let bytes = try await request.collectBody(limit: environment.limits.blobChunkBytes, timeout: environment.bodyTimeout)
        let status = try await environment.refusingOverload(environment.blobGate) { gate in try await gate.admit {
            try await refusing {
                try await environment.photos.put(digest, index: index, bytes: bytes, chunkDigest: chunkDigest, at: environment.now())
            }
        } }
        return try JSONBody.response(status)
    }

    /// Upload answers (refusals too) close their connection, so that each chunk goes on a fresh one. A
    /// handset whose link dies mid-chunk then fails at once: libcurl (URLSession on Linux)
    /// retries a request whose reused connection died, cannot rewind the body for it, and
    /// waits out its timeout instead.
    static func closing(_ body: () async throws -> Response) async throws -> Response {
        do {
            var response = try await body()
            response.headers[.connection] = "close"
            return response
        } catch var error as APIError {
            error.headers[.connection] = "close"
            throw error
        }
    }

    /// Records first: while a storm's pushes and pulls pour in, an upload is told to come back
    /// in 5 to 15 seconds, before anything else is done for it (not even the token check, a
    /// store read) and before its body is read.
    private func yieldToRecords() async throws {
        guard environment.syncRate.perSecond >= environment.photosYieldAt else { return }
        try await environment.refusingOverload(environment.blobGate) { throw $0.yielding(for: Int.random(in: 5...15)) }
    }

    /// The blob's bytes, or one range of them (`Range: bytes=a-b`), so that a download cut off
    /// resumes where it stopped. Absent and out of scope look the same.
    @Sendable func download(_ request: Request, context: GridSyncRequestContext) async throws -> Response {
        let device = try await environment.authenticator.device(request)
        let digest = try Self.digest(context)
        let scope = try await environment.engine.scope(ofWorker: device.worker)
        guard let blob = try await environment.photos.readable(digest, within: scope) else { throw Self.notFound }
        return try await Self.bytes(of: blob, request: request, from: environment.photos.blobs)
    }

    static let notFound = APIError(.notFound, .notFound, "no such photo in your scope")

    static func digest(_ context: GridSyncRequestContext) throws -> BlobDigest {
        guard let digest = context.parameters.get("sha256").flatMap(BlobDigest.init) else {
            throw APIError.invalid("a blob is named by its SHA-256: 64 lower-case hex digits", field: "sha256")
        }
        return digest
    }

    /// The whole blob, or the range asked for.
    static func bytes(of blob: StoredBlob, request: Request, from store: any BlobStore) async throws -> Response {
        var headers: HTTPFields = [.contentType: "application/octet-stream", .eTag: "\"\(blob.digest.hex)\"", .acceptRanges: "bytes"]
        guard let header = request.headers[.range] else {
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try await store.read(blob.digest, range: 0..<blob.size))))
        }
        guard let range = ByteRange.parse(header, size: blob.size) else {
            var error = APIError(.rangeNotSatisfiable, .invalidRequest, "the range is not within the blob: ask for bytes=<from>-<to> below its size")
            error.headers[.contentRange] = "bytes */\(blob.size)"
            error.body.field = "Range"
            error.body.limit = blob.size
            throw error
        }
        headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(blob.size)"
        return Response(status: .partialContent, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(data: try await store.read(blob.digest, range: range))))
    }

    /// The library's refusals as the errors the protocol names.
    private func refusing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let refusal as PhotoLibrary.Refusal {
            throw refusal.apiError
        }
    }
}

extension PhotoLibrary.Refusal {
    var apiError: APIError {
        var error: APIError
        switch self {
        case .tooLarge(let limit):
            error = APIError(.contentTooLarge, .blobTooLarge, "the photo is larger than \(limit) bytes: send it smaller")
            error.body.limit = limit
        case .chunkOutOfRange(let chunks):
            error = .invalid("this blob has \(chunks) chunks, numbered from 0", field: "index")
            error.body.limit = chunks
        case .wrongChunkLength(let expected):
            error = APIError(.unprocessableContent, .wrongChunkLength, "this chunk must be \(expected) bytes long")
            error.body.limit = expected
        case .chunkDigestMismatch:
            error = APIError(.unprocessableContent, .digestMismatch, "the chunk does not match its Content-Digest: send it again")
            error.body.field = "Content-Digest"
        case .blobDigestMismatch:
            error = APIError(.unprocessableContent, .digestMismatch,
                             "the chunks together do not hash to the blob's name: every chunk was dropped; start the upload again")
            error.body.field = "sha256"
        case .uploadNotStarted:
            error = APIError(.conflict, .uploadNotStarted, "no upload of this blob is open: start it with POST /v1/blobs/{sha256}")
        }
        return error
    }
}
