import Hummingbird
import Logging

/// Per-request state: the request id that ties a response to its log lines.
public struct GridSyncRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID: String = ""
    /// The protocol version the client speaks (its `GridSync-Protocol` header), once checked.
    public var protocolVersion: Int = 1

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
