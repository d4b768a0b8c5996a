import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client for what URLSession will not do: stop mid-request, hang up early, or
/// hold a connection open doing nothing. Use it from a dispatch thread, never a cooperative one.
final class RawSocket: @unchecked Sendable {  // @unchecked: used from one dispatch thread at a time
    let descriptor: Int32

    /// - Parameter timeout: how long a read may wait, so that a server that never answers
    ///   fails the test instead of hanging it.
    init(port: Int, timeout: Int = 30) throws {
        // The descriptor is stored only once connected: a class whose initialiser throws after
        // storing it would run `deinit` and close it a second time, and by then the number may
        // belong to the server's database or a NIO socket in this same process.
        let candidate = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard candidate >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(candidate, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(candidate)
            throw POSIXError(.ECONNREFUSED)
        }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(candidate, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        descriptor = candidate
    }

    func send(_ text: String) { _ = text.withCString { Glibc.send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }

    /// Whether the server has sent something not yet read (without reading it).
    func hasArrived() -> Bool {
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }

    /// Everything the server sends until it closes; `nil` if it kept the connection open past the timeout.
    func readToClose() -> String? {
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return String(decoding: received, as: UTF8.self) }
            if count < 0 { return nil }
            received += buffer[0..<count]
        }
    }

    deinit { close(descriptor) }
}
