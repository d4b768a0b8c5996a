import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One keep-alive HTTP/1.1 connection that sends prepared bodies and hands back whole
/// responses: a terminal with no replica behind it, so that nearly all the CPU a storm costs
/// is the server's.
struct ThinConnection {
    struct Answer {
        var status: Int
        var body: ByteBuffer
        var headers: HTTPHeaders
        /// Body bytes as they crossed the wire (compressed, when the server compressed them).
        var wireBytes: Int
        /// Request body bytes as they crossed the wire.
        var sentBytes: Int
    }

    typealias Channel = NIOAsyncChannel<NIOHTTPClientResponseFull, HTTPClientRequestPart>

    /// Opens a connection to `port` on loopback and runs `body` with it, closing it afterwards.
    static func with<Result: Sendable>(
        port: Int, _ body: (inout Exchange) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(NIOHTTPClientResponseAggregator(maxContentLength: 256 << 20))
                    return try Channel(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var exchange = Exchange(responses: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(&exchange)
        }
    }

    /// Request and answer, in turn, on the open connection.
    struct Exchange {
        var responses: NIOAsyncChannelInboundStream<NIOHTTPClientResponseFull>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>

        mutating func send(_ method: HTTPMethod, _ uri: String, headers: [(String, String)], body: ByteBuffer? = nil) async throws -> Answer {
            var head = HTTPRequestHead(version: .http1_1, method: method, uri: uri)
            head.headers.add(name: "Host", value: "127.0.0.1")
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            head.headers.add(name: "Content-Length", value: String(body?.readableBytes ?? 0))
            try await outbound.write(.head(head))
            if let body { try await outbound.write(.body(.byteBuffer(body))) }
            try await outbound.write(.end(nil))
            guard let response = try await responses.next() else { throw ThinConnectionClosed() }
            let body = response.body ?? ByteBuffer()
            return Answer(status: Int(response.head.status.code), body: body, headers: response.head.headers, wireBytes: body.readableBytes, sentBytes: head.headers.first(name: "Content-Length").flatMap(Int.init) ?? 0)
        }
    }
}

struct ThinConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the server closed the connection before answering" }
}
