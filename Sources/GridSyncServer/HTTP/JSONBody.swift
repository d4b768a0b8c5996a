import Foundation
import GridSyncCore
import GridSyncProtocol
import HTTPTypes
import Hummingbird
import NIOCore

extension Request {
    /// Reads the body up to `limit` bytes; a larger one is refused with 413 stating the limit.
    mutating func collectBody(limit: Int, timeout: Duration = .seconds(120)) async throws -> Data {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError.tooLarge(limit: limit)
        }
        // A body that stops arriving is closed by the connection's idle timeout; one that
        // trickles in a byte at a time is stopped here, at its deadline.
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var collected = ByteBuffer()
        do {
            for try await chunk in body {
                guard collected.readableBytes + chunk.readableBytes <= limit else { throw APIError.tooLarge(limit: limit) }
                guard ContinuousClock.now < deadline else {
                    throw APIError(.requestTimeout, .requestTimeout, "the request body took too long to arrive: send it again, in smaller batches on a slow link")
                }
                collected.writeImmutableBuffer(chunk)
            }
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.tooLarge(limit: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge(limit: limit)
        } catch {
            // The client went away mid-body: its fault, not the server's. Nobody reads this
            // answer, but it is counted and logged as a 4xx, not a 5xx.
            throw APIError(.badRequest, .invalidRequest, "the request body ended before it was complete: send it again")
        }
        return Data(buffer: try ContentCoding.decoded(collected, contentEncoding: headers[.contentEncoding], limit: limit))
    }

    /// Decodes a JSON body, telling malformed JSON apart from JSON of the wrong shape.
    mutating func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int, timeout: Duration = .seconds(120)) async throws -> T {
        let data = try await collectBody(limit: limit, timeout: timeout)
        return try JSONBody.decode(type, from: data)
    }
}

enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try WireCoding.decode(type, from: data)
        } catch let error as DecodingError {
            if (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) == nil {
                throw APIError(.badRequest, .malformedJSON, "the body is not valid JSON")
            }
            throw describe(error)
        }
    }

    static func describe(_ error: DecodingError) -> APIError {
        switch error {
        case .dataCorrupted(let context) where (context.underlyingError as? JSONParser.Failure)?.duplicateMember == true:
            return .invalid("a JSON object gives one member twice: send each member once")
        case .dataCorrupted(let context) where context.codingPath.isEmpty && context.underlyingError != nil:
            return APIError(.badRequest, .malformedJSON, "the body is not valid JSON")
        case .keyNotFound(let key, let context):
            return .invalid("missing \(key.stringValue)", field: path(context.codingPath + [key]))
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return .invalid("wrong type", field: path(context.codingPath))
        case .dataCorrupted(let context):
            return .invalid(DecodingFailure.reason(context), field: path(context.codingPath))
        @unknown default:
            return .invalid("the body is not the expected message")
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.reduce(into: "") { path, key in
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += (path.isEmpty ? "" : ".") + Self.shown(key.stringValue)
            }
        }
    }

    /// A member name as an error may show it: object keys can be anything a client sent (a
    /// name, a phone), so one that reads as neither an id nor a field path is replaced by `*`.
    static func shown(_ key: String) -> String {
        RecordID(key) != nil || FieldPath(key) != nil ? key : "*"
    }

    /// A JSON response with the wire encoding.
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try WireCoding.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
