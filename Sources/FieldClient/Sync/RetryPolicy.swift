import GridSyncCore

/// How long to wait before trying the server again: exponential backoff with jitter, so 900
/// handsets that lost signal together do not come back together.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts per request within one ``FieldClient/sync()`` before giving up until next time.
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 6, initialDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(30)) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// The wait before attempt `attempt` (1-based, after a failure), between half and all of
    /// the exponential step; a server's `Retry-After` wins when it asks for longer.
    func delay(attempt: Int, retryAfter: Duration?, random: inout SplitMix64) -> Duration {
        let step = initialDelay * (1 << min(attempt - 1, 20))
        let capped = min(step, maxDelay)
        let jitter = 0.5 + Double(random.next() >> 11) / Double(1 << 53) / 2
        let jittered = capped * jitter
        if let retryAfter, retryAfter > jittered { return min(retryAfter, maxDelay) }
        return jittered
    }
}
