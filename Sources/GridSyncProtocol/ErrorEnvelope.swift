/// Every error response's body: `{"error":{"code":"payload_too_large","message":"...","limit":4194304}}`.
/// `Protocol/README.md`, "Errors".
///
/// `code` is for programs, `message` for people and says what to do next. Neither ever holds
/// household personal data; details that would go to logs stay there.
public struct ErrorEnvelope: Codable, Sendable, Hashable, Error {
    public var error: ErrorBody

    public init(_ code: ErrorCode, _ message: String, requestID: String? = nil) {
        error = ErrorBody(code: code, message: message, requestId: requestID)
    }
}

public struct ErrorBody: Codable, Sendable, Hashable {
    public var code: ErrorCode
    public var message: String
    public var requestId: String?
    /// For `payload_too_large` and `too_many_changes`: the limit that was exceeded.
    public var limit: Int?
    /// For `unsupported_protocol_version`: the versions the server speaks.
    public var supportedVersions: [Int]?
    /// For `invalid_request`: the JSON path or field that was wrong.
    public var field: String?

    public init(code: ErrorCode, message: String, requestId: String? = nil, limit: Int? = nil,
                supportedVersions: [Int]? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.requestId = requestId
        self.limit = limit
        self.supportedVersions = supportedVersions
        self.field = field
    }
}

/// Machine-readable error codes. New codes may appear; clients treat an unknown 4xx code as
/// permanent and an unknown 5xx code as transient.
public struct ErrorCode: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// 400: the body is not JSON.
    public static let malformedJSON = ErrorCode(rawValue: "malformed_json")
    /// 400: the body says `Content-Encoding: gzip` but is not gzip.
    public static let malformedEncoding = ErrorCode(rawValue: "malformed_encoding")
    /// 415: a `Content-Encoding` other than gzip or identity; send it uncompressed.
    public static let unsupportedEncoding = ErrorCode(rawValue: "unsupported_encoding")
    /// The request body took longer than the server allows to arrive (408): send it again.
    public static let requestTimeout = ErrorCode(rawValue: "request_timeout")
    /// 400: JSON, but not the message the endpoint expects (`field` says where).
    public static let invalidRequest = ErrorCode(rawValue: "invalid_request")
    /// 401: no token, or one the server does not know.
    public static let unauthenticated = ErrorCode(rawValue: "unauthenticated")
    /// 401: the token was revoked.
    public static let tokenRevoked = ErrorCode(rawValue: "token_revoked")
    /// 403: the token's role may not do this.
    public static let forbidden = ErrorCode(rawValue: "forbidden")
    /// 404
    public static let notFound = ErrorCode(rawValue: "not_found")
    /// 409: the conflict changed since it was read; show it again and decide again.
    public static let conflictChanged = ErrorCode(rawValue: "conflict_changed")
    /// 409: the enrolment code was already used.
    public static let alreadyUsed = ErrorCode(rawValue: "already_used")
    /// 413: the body is larger than `limit` bytes.
    public static let payloadTooLarge = ErrorCode(rawValue: "payload_too_large")
    /// 413: more than `limit` changes in one push.
    public static let tooManyChanges = ErrorCode(rawValue: "too_many_changes")
    /// 422: the request was understood but cannot be applied (a bad grid import row, a
    /// resolution that leaves a field undecided).
    public static let unprocessable = ErrorCode(rawValue: "unprocessable")
    /// 422: a work-order move the workflow does not allow from the order's state.
    public static let illegalTransition = ErrorCode(rawValue: "illegal_transition")
    /// 409: the order's state is contested (a workflow conflict): settle it through the
    /// conflicts API first.
    public static let workflowConflict = ErrorCode(rawValue: "workflow_conflict")
    /// 426: the `GridSync-Protocol` version is missing or not spoken here.
    public static let unsupportedProtocolVersion = ErrorCode(rawValue: "unsupported_protocol_version")
    /// 429 / 503: try again after `Retry-After` seconds.
    public static let overloaded = ErrorCode(rawValue: "overloaded")
    /// 413: the blob is larger than `limit` bytes; nothing of it is taken.
    public static let blobTooLarge = ErrorCode(rawValue: "blob_too_large")
    /// 422: the bytes do not hash to what was claimed (`field` is `Content-Digest` for one
    /// chunk, `sha256` for the whole blob). Nothing of them is kept.
    public static let digestMismatch = ErrorCode(rawValue: "digest_mismatch")
    /// 422: a chunk is not the length its index needs (`limit` is the length it must be).
    public static let wrongChunkLength = ErrorCode(rawValue: "wrong_chunk_length")
    /// 409: a chunk for an upload the server does not hold (never started, or discarded as
    /// abandoned): start it again with `POST /v1/blobs/{sha256}`.
    public static let uploadNotStarted = ErrorCode(rawValue: "upload_not_started")
    /// 500: the server's fault; retry later. Details are in the server log under `requestId`.
    public static let internalError = ErrorCode(rawValue: "internal_error")
}
