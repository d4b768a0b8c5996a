import GridSyncCore

/// How long to wait before trying the server again: exponential backoff with jitter, so 900
/// handsets that lost signal together do not come back together.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts per request within one ``FieldClient/sync()`` before giving up until next time.
    /// A server's "come back after" (`503` or `429` with `Retry-After`) does not count: that is
    /// the server pacing a storm, not a failure.
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// The most pauses a server may ask for on one request before the sync gives up until
    /// next time, and the longest pause honoured.
    public var maxServerPauses: Int
    public var maxServerPause: Duration

    public init(maxAttempts: Int = 6, initialDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(30),
                maxServerPauses: Int = 30, maxServerPause: Duration = .seconds(300)) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxServerPauses = maxServerPauses
        self.maxServerPause = maxServerPause
    }

    /// The wait before attempt `attempt` (1-based, after a failure), between half and all of
    /// the exponential step. A server's `Retry-After` is honoured in full (up to
    /// `maxServerPause`), plus up to a tenth more at random: the server already spread its
    /// answers, and this keeps terminals told the same second from landing in the same one.
    func delay(attempt: Int, retryAfter: Duration?, random: inout SplitMix64) -> Duration {
        let fraction = Double(random.next() >> 11) / Double(1 << 53)
        if let retryAfter {
            return min(retryAfter, maxServerPause) * (1 + fraction / 10)
        }
        let step = initialDelay * (1 << min(attempt - 1, 20))
        return min(step, maxDelay) * (0.5 + fraction / 2)
    }
}
