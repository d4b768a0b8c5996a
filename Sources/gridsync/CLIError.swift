import ArgumentParser
import Foundation
import GridSyncAdmin

/// A failure the person at the terminal can act on, with an exit code a script can branch on.
struct CLIError: Error, CustomStringConvertible {
    enum Kind: Int32 {
        case server = 1
        case refused = 3
        case notFound = 4
        case changed = 5
        case unreachable = 6
        case invalid = 7
        case usage = 64
    }

    let kind: Kind
    let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    var description: String { message }

    /// An admin call's failure, as the exit code a script branches on.
    init(_ error: AdminError) {
        let kind: Kind = switch error.kind {
        case .unreachable: .unreachable
        case .refused: .refused
        case .notFound: .notFound
        case .changed: .changed
        case .invalid: .invalid
        case .server, .unreadable: .server
        }
        self.init(kind, error.message)
    }
}

/// Runs a command body, turning any failure into one line on stderr and an exit code: never a
/// stack trace.
func guarded(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as CLIError {
        FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
        throw ExitCode(error.kind.rawValue)
    } catch let error as AdminError {
        let failure = CLIError(error)
        FileHandle.standardError.write(Data("error: \(failure.message)\n".utf8))
        throw ExitCode(failure.kind.rawValue)
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(CLIError.Kind.server.rawValue)
    }
}
