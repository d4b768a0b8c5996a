import GridSyncCore

/// Workers' scopes read through one transaction, each at most once: a pass over the fleet's
/// devices (retention, erasure, health) asks for the same worker's scope once per device.
struct WorkerScopes {
    private let transaction: any StoreTransaction
    private var known: [String: [GridPath]] = [:]

    init(_ transaction: any StoreTransaction) {
        self.transaction = transaction
    }

    mutating func of(_ worker: String) throws -> [GridPath] {
        if let scope = known[worker] { return scope }
        let scope = try transaction.scope(ofWorker: worker)
        known[worker] = scope
        return scope
    }
}
