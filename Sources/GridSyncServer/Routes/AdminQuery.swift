import GridSyncCore
import Hummingbird

/// Query parameters several admin lists share, read one way.
enum AdminQuery {
    /// `under`: a grid path narrowing a list to a street, community or grid; absent for all.
    static func under(_ request: Request) throws -> GridPath? {
        try request.uri.queryParameters["under"].map { text in
            guard let path = GridPath(String(text)) else { throw APIError.invalid("under is a grid path such as futian/shatou", field: "under") }
            return path
        }
    }
}
