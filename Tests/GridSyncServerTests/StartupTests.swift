import Foundation
import GridSyncServer
import GridSyncTestSupport
import Testing

/// A server that cannot keep photos must say so when it starts, and not crash later (nor
/// take records whose photos it could not keep).
@Suite("Start-up")
struct StartupTests {
    @Test("a photo folder that cannot be opened stops the start with a clear error: in the library and from the binary, as an exit, not a crash")
    func unusablePhotoStore() async throws {
        let fixture = try await ServerFixture(store: .sqlite)
        defer { fixture.cleanUp() }
        // Where the photo folder belongs, a plain file.
        let blobs = fixture.databasePath + ".blobs"
        try? FileManager.default.removeItem(atPath: blobs)
        #expect(FileManager.default.createFile(atPath: blobs, contents: Data("not a folder".utf8)))
        #expect(throws: PhotoStoreUnavailable.self) { _ = try fixture.application() }

        // The binary, on a fresh database (no token yet) whose photo folder is a file too.
        let fresh = fixture.directory.appendingPathComponent("fresh")
        try FileManager.default.createDirectory(at: fresh, withIntermediateDirectories: true)
        let database = fresh.appendingPathComponent("server.sqlite"), token = fresh.appendingPathComponent("admin.token")
        #expect(FileManager.default.createFile(atPath: database.path + ".blobs", contents: Data("not a folder".utf8)))
        do {
            let server = try await ServerProcess.start(database: database, adminTokenFile: token)
            server.kill()
            Issue.record("the server started without a photo store")
        } catch let failure as ServerProcess.StartFailed {
            // ArgumentParser's exit for a thrown error is 1; a crash would end on a signal.
            #expect(failure.status == 1, "an exit with an error, not a crash (status \(failure.status))")
        }
        #expect(!FileManager.default.fileExists(atPath: token.path), "a refused start issues no admin token")
    }
}
