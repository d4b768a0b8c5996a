import Foundation
import GridSyncCore
import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy that behaves like a poor mobile link: it forwards bytes between a handset and
/// the server at a capped rate, and cuts some connections dead after a random number of bytes
/// sent upstream (the server sees a request body stop mid-way, as in a basement).
///
/// Used by the photo tests, the simulator's photo faults and `gridsync-bench photo`, so that
/// a cut is a real cut: the server receives exactly the bytes before it.
public final class LinkProxy: Sendable {
    public struct Conditions: Sendable, Hashable {
        /// Bytes per second in each direction; `nil` forwards at once.
        public var bytesPerSecond: Int?
        /// The chance that a connection is cut.
        public var cutProbability: Double
        /// A cut comes after a number of upstream bytes drawn uniformly below this.
        public var cutWithinBytes: Int
        public var seed: UInt64

        public init(bytesPerSecond: Int? = nil, cutProbability: Double = 0, cutWithinBytes: Int = 512 << 10, seed: UInt64 = 1) {
            self.bytesPerSecond = bytesPerSecond
            self.cutProbability = cutProbability
            self.cutWithinBytes = cutWithinBytes
            self.seed = seed
        }
    }

    /// What the link did so far.
    public struct Tally: Sendable, Hashable {
        public var connections = 0
        public var cuts = 0
        public var bytesUpstream = 0
        public var bytesDownstream = 0
    }

    public let port: Int
    private let listener: any Channel
    let shared: Shared

    final class Shared: Sendable {
        let conditions: Conditions
        let target: Int
        let random: Mutex<SplitMix64>
        let tally = Mutex(Tally())
        /// Cut the next connections at these upstream byte counts, before any random cut
        /// (tests script exact cuts this way).
        let scripted: Mutex<[Int]>

        init(conditions: Conditions, target: Int) {
            self.conditions = conditions
            self.target = target
            self.random = Mutex(SplitMix64(seed: conditions.seed))
            self.scripted = Mutex([])
        }

        /// Counts `bytes` going up (on any connection) against the next scripted cut; returns
        /// how many of them pass before it when it falls among them.
        func passingBeforeScriptedCut(_ bytes: Int) -> Int? {
            scripted.withLock { cuts in
                guard let next = cuts.first else { return nil }
                if bytes >= next { return cuts.removeFirst() }
                cuts[0] = next - bytes
                return nil
            }
        }

        /// Where a new connection is cut, if it is.
        func cutPoint() -> Int? {
            random.withLock { random in
                guard random.chance(conditions.cutProbability) else { return nil }
                return Int(random.next() % UInt64(max(1, conditions.cutWithinBytes)))
            }
        }
    }

    private init(port: Int, listener: any Channel, shared: Shared) {
        self.port = port
        self.listener = listener
        self.shared = shared
    }

    /// Listens on a free loopback port and forwards to `127.0.0.1:targetPort`.
    public static func start(to targetPort: Int, conditions: Conditions = Conditions()) async throws -> LinkProxy {
        let shared = Shared(conditions: conditions, target: targetPort)
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(FrontHandler(shared: shared)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return LinkProxy(port: listener.localAddress!.port!, listener: listener, shared: shared)
    }

    /// Cuts connections after exactly these many further upstream bytes: the first cut counts
    /// from the next byte up on any connection, each later one from the byte after the cut.
    public func scriptCuts(_ points: [Int]) {
        shared.scripted.withLock { $0.append(contentsOf: points) }
    }

    public var tally: Tally { shared.tally.withLock { $0 } }

    public func stop() async {
        try? await listener.close()
    }
}

/// Sends bytes one way at the link's rate, cutting the connection at its cut point. Lives on
/// the connection's event loop, like everything it touches.
final class Pacer {
    private let bytesPerSecond: Int?
    private var nextFree = NIODeadline.now()
    /// Upstream bytes left before the cut, if this connection is to be cut.
    private var budget: Int?
    private let counted: @Sendable (Int) -> Void
    /// The link's scripted cuts, which count bytes across connections (upstream only).
    private let scripted: (@Sendable (Int) -> Int?)?

    init(bytesPerSecond: Int?, cutAfter budget: Int?, scripted: (@Sendable (Int) -> Int?)? = nil,
         counted: @escaping @Sendable (Int) -> Void) {
        self.bytesPerSecond = bytesPerSecond
        self.budget = budget
        self.scripted = scripted
        self.counted = counted
    }

    /// Forwards `buffer` to `peer`; `cut` closes both ends when the budget runs out.
    func forward(_ buffer: ByteBuffer, to peer: any Channel, cut: @escaping () -> Void) {
        // Cut already: what still arrives from the handset goes nowhere.
        if budget == 0 { return }
        var buffer = buffer
        let slice = bytesPerSecond.map { max(1, min(16 << 10, $0 / 20)) } ?? Int.max
        while buffer.readableBytes > 0 {
            var piece = buffer.readSlice(length: min(slice, buffer.readableBytes))!
            var cutHere = false
            if let left = budget {
                if piece.readableBytes >= left {
                    piece = piece.getSlice(at: piece.readerIndex, length: left)!
                    cutHere = true
                    budget = 0
                } else {
                    budget = left - piece.readableBytes
                }
            }
            if !cutHere, let pass = scripted?(piece.readableBytes) {
                piece = piece.getSlice(at: piece.readerIndex, length: pass)!
                cutHere = true
                budget = 0
            }
            let bytes = piece.readableBytes
            let send = { [counted] in
                counted(bytes)
                if bytes > 0 { peer.writeAndFlush(piece, promise: nil) }
                if cutHere { cut() }
            }
            if let rate = bytesPerSecond {
                let start = max(nextFree, .now())
                nextFree = start + .nanoseconds(Int64(bytes) * 1_000_000_000 / Int64(rate))
                peer.eventLoop.assumeIsolated().scheduleTask(deadline: nextFree) { send() }
            } else {
                send()
            }
            if cutHere { return }
        }
    }
}

/// The handset's side of one connection: dials the server and pumps bytes both ways.
final class FrontHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let shared: LinkProxy.Shared
    private var peer: (any Channel)?
    private var waiting: [ByteBuffer] = []
    private var up: Pacer?

    init(shared: LinkProxy.Shared) { self.shared = shared }

    func channelActive(context: ChannelHandlerContext) {
        let front = context.channel, shared = self.shared
        let cutAt = shared.cutPoint()
        shared.tally.withLock { $0.connections += 1 }
        up = Pacer(bytesPerSecond: shared.conditions.bytesPerSecond, cutAfter: cutAt, scripted: shared.passingBeforeScriptedCut) { bytes in
            shared.tally.withLock { $0.bytesUpstream += bytes }
        }
        let down = shared.conditions.bytesPerSecond
        let connecting = ClientBootstrap(group: context.eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BackHandler(front: front, pacer: Pacer(bytesPerSecond: down, cutAfter: nil) { bytes in
                        shared.tally.withLock { $0.bytesDownstream += bytes }
                    }))
                }
            }
            .connect(host: "127.0.0.1", port: shared.target)
        connecting.hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let channel):
                self.peer = channel
                for buffer in self.waiting { self.send(buffer, front: front) }
                self.waiting = []
            case .failure:
                front.close(promise: nil)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if peer == nil { waiting.append(buffer) } else { send(buffer, front: context.channel) }
    }

    private func send(_ buffer: ByteBuffer, front: any Channel) {
        guard let peer, let up else { return }
        let shared = self.shared
        up.forward(buffer, to: peer) {
            shared.tally.withLock { $0.cuts += 1 }
            front.close(promise: nil)
            peer.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer?.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// The server's side of one connection: answers go back to the handset at the link's rate.
final class BackHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let front: any Channel
    private let pacer: Pacer

    init(front: any Channel, pacer: Pacer) {
        self.front = front
        self.pacer = pacer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pacer.forward(unwrapInboundIn(data), to: front) {}
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Let answers still paced out reach the handset before its side closes.
        let front = self.front
        context.eventLoop.scheduleTask(deadline: .now() + .seconds(1)) { front.close(promise: nil) }.futureResult.whenFailure { _ in }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
