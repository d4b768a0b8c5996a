import Foundation

/// Remembers which version of each conflict this operator was last shown, so that
/// `conflicts resolve` decides on what was seen: if the record moved on meanwhile, the server
/// refuses and the operator looks again.
struct SeenVersions {
    let file: URL

    init() {
        let environment = ProcessInfo.processInfo.environment
        let folder = environment["GRIDSYNC_STATE_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".gridsync")
        file = folder.appendingPathComponent("seen-conflicts.json")
    }

    func version(of conflict: String, on server: URL) -> Int64? {
        load()["\(server.absoluteString)|\(conflict)"]
    }

    func remember(_ version: Int64, of conflict: String, on server: URL) {
        var seen = load()
        seen["\(server.absoluteString)|\(conflict)"] = version
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? JSONEncoder().encode(seen).write(to: file, options: .atomic)
    }

    private func load() -> [String: Int64] {
        (try? JSONDecoder().decode([String: Int64].self, from: Data(contentsOf: file))) ?? [:]
    }
}
