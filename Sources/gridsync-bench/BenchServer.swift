import FieldClient
import Foundation
import GridSyncAdmin
import GridSyncCore
import GridSyncProtocol
import GridSyncServer
import Hummingbird

/// One benchmark's in-process server: a store holding one street, served on a free loopback
/// port, and handsets enrolled straight through the engine (what the benchmark times starts
/// after). Written once for every benchmark that needs a server in its own process.
struct BenchServer: Sendable {
    static let grid = GridPath("futian/shatou/community-03/grid-12")!

    let store: any SyncStore
    let base: URL
    var engine: SyncEngine { SyncEngine(store: store) }

    /// Gives `store` the street, serves it, waits until it answers, runs `body`, and stops it.
    static func serving<Value: Sendable>(_ store: any SyncStore, _ body: (BenchServer) async throws -> Value) async throws -> Value {
        try await SyncEngine(store: store).replaceHierarchy(GridHierarchy(grids: [GridNode(path: GridPath("futian/shatou")!)], assignments: []))
        let port = try await FreePort.pick()
        let app = try buildApplication(configuration: ServerConfiguration(port: port), store: store)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            defer { group.cancelAll() }
            let server = BenchServer(store: store, base: URL(string: "http://127.0.0.1:\(port)")!)
            try await AdminClient.waitUntilHealthy(server.base)
            return try await body(server)
        }
    }

    /// A terminal registered for `worker` in the grid; its one-time code.
    func register(worker: String = "bench") async throws -> String {
        let code = TokenFactory.token(prefix: TokenFactory.enrollmentPrefix)
        _ = try await engine.createDevice(worker: worker, grids: [Self.grid], enrollmentCodeHash: TokenFactory.hash(code), registrationKey: nil, at: Date())
        return code
    }

    /// A handset with its replica at `path`, registered and enrolled.
    func handset(path: String, transport: (any SyncTransport)? = nil,
                 configuration: FieldClient.Configuration = FieldClient.Configuration()) async throws -> FieldClient {
        let code = try await register()
        let handset = try FieldClient(path: path, transport: transport ?? URLSessionTransport(baseURL: base), configuration: configuration)
        try await handset.enroll(code: code)
        return handset
    }
}

/// A fresh, empty folder for one benchmark run, under `parent`; the caller removes it
/// (`defer { try? FileManager.default.removeItem(at: folder) }`).
func makeRunFolder(_ prefix: String, in parent: URL = FileManager.default.temporaryDirectory) throws -> URL {
    let folder = parent.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
