import GridSyncAdmin

/// The admin error a call ended with, or `nil` when it succeeded: for checks that the admin
/// API refuses what it must (`#expect(await refusal { … }?.code == .forbidden)`).
public func refusal<T>(_ call: () async throws -> T) async -> AdminError? {
    do {
        _ = try await call()
        return nil
    } catch let error as AdminError {
        return error
    } catch {
        return AdminError(kind: .unreachable, status: nil, message: "\(error)")
    }
}
