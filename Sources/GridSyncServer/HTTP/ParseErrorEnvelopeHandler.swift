import Foundation
import GridSyncProtocol
import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request that is not HTTP/1.1 at all (a raw non-ASCII byte in the target, a broken
/// request line) with the same error envelope and request id as every other refusal, instead of
/// the bare `400` the HTTP layer writes before any route or middleware runs.
///
/// It sits in the channel right after the HTTP codec: the parser's error reaches it first, the
/// answer is written, and the connection closes, as it must once the byte stream is out of step.
final class ParseErrorEnvelopeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private var answered = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        let requestID = TokenFactory.shortID()
        let envelope = ErrorEnvelope(.invalidRequest, "the request is not well-formed HTTP/1.1: check the request line and headers (the target must be ASCII, percent-encoded)",
                                     requestID: requestID)
        let body = (try? WireCoding.encode(envelope)) ?? Data()
        var headers: HTTPFields = [.contentType: "application/json", .connection: "close", .contentLength: String(body.count)]
        headers[HTTPField.Name(WireProtocol.requestIDHeader)!] = requestID
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .badRequest, headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        // The context belongs to this channel's event loop, where the write completes too.
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
