/// The server cannot start because its photo store cannot be opened (the `.blobs` folder beside
/// the database is not a writable folder): said once, at start, instead of crashing, because a
/// server that took records while unable to keep their photos would lose them later.
public struct PhotoStoreUnavailable: Error, CustomStringConvertible {
    public let reason: any Error

    public var description: String {
        "the photo store could not be opened (\(reason)): the folder beside the database (<database>.blobs) must be a folder the server can write"
    }
}
