import GridSyncTestSupport
import Testing

/// The server suites use the shared fixture (`GridSyncTestSupport`) under the names they grew
/// up with: a `TestServer` on the store `GRIDSYNC_TEST_STORE` picks, and a `Client` per run.
typealias TestServer = ServerFixture
typealias Client = ServerConnection

extension StoreKind: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}

extension StoreKind {
    static var skipComment: Comment { Comment(rawValue: skipReason) }
}
