import NIOCore
import NIOPosix

/// A loopback port nothing listens on right now, for servers that must keep one port across
/// restarts (the simulator) or report it before starting (benchmarks).
public enum FreePort {
    public static func pick() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }
}
