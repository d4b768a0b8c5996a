import Foundation
import GridSyncAdmin
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// Carries the admin client's requests through Hummingbird's test client, so that a test
/// against an in-process server (`.router`) calls the admin API exactly as the CLI does over
/// the network: the request is still built by `AdminClient`, only the carrying differs.
public struct TestClientAdminTransport: AdminTransport {
    public let client: any TestClientProtocol
    public let endpoint: URL?

    public init(client: any TestClientProtocol, endpoint: URL? = nil) {
        self.client = client
        self.endpoint = endpoint
    }

    public func carry(_ request: AdminRequest) async throws -> AdminAnswer {
        var headers = HTTPFields()
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            guard let field = HTTPField.Name(name) else { continue }
            headers[field] = value
        }
        return try await client.execute(uri: request.target, method: HTTPRequest.Method(request.method)!, headers: headers,
                                        body: request.body.map { ByteBuffer(bytes: $0) }) { response in
            AdminAnswer(status: Int(response.status.code), body: Data(buffer: response.body))
        }
    }
}
