import GridSyncCore

/// Names one history of a store. A store restored from a backup continues an older history
/// than the one its handsets' cursors come from: the backup (or `gridsync-server
/// mark-restored`) gives it a new epoch, every cursor carries the epoch it was issued under,
/// and a pull whose cursor names another one is served from the start, marked `rebase`
/// (Protocol/README.md, "Restores").
public enum StoreEpoch {
    /// 16 lower-case hex digits, random.
    public static func mint() -> String {
        let value = UInt64.random(in: .min ... .max)
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The replica id a single-process store writes resolutions under once it was restored:
    /// the restored store's own counters go back to the backup's, and must never name again a
    /// write that handsets already hold from the lost history.
    public static func serverReplica(after epoch: String) -> ReplicaID {
        ReplicaID("server-" + epoch)!
    }
}
