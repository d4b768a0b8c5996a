import Foundation

/// The server's `503`/`429` with `Retry-After` to a request that can wait (a photo's): the
/// work stops there, keeping what it did, rather than holding a handset task asleep through a
/// storm. Not a failure: ``FieldClient/noting(_:failure:success:_:)`` writes nothing for it.
struct ServerPause: Error {
    let retryAfter: Duration

    init?(_ response: TransportResponse) {
        guard response.status == 503 || response.status == 429,
              let seconds = response.headers["retry-after"].flatMap(Int.init) else { return nil }
        retryAfter = .seconds(seconds)
    }
}
