import FieldClient
import Foundation
import GridSyncCore

/// What a terminal does in the day's lifecycle (``LifecycleDay``).
extension SimTerminal {
    /// The grid worker records a resident's full details: name, phone and ID number, the values
    /// an erasure must later remove from everywhere. Synced at once.
    func writeCanaries(_ key: RecordKey, canaries: [String]) async throws {
        note(try await client.update(Household.self, id: key.id) { household in
            if household.members.isEmpty { return }
            household.members[0].name = canaries[0]
            household.members[0].phone = canaries[1]
            household.members[0].idNumber = canaries[2]
        })
        _ = try await client.sync()
    }

    /// An edit made away from signal, to a household that may meanwhile be deleted or erased;
    /// `canary` puts a value to be erased into the pending change itself. A field under
    /// review is left alone, as a worker would.
    func editAway(_ key: RecordKey, canary: String?) async throws {
        let notes = canary ?? "\(profile.worker) 离线时补记"
        do {
            note(try await client.update(Household.self, id: key.id) { household in household.notes = notes })
        } catch let error as FieldClientError where error.code == .underReview {
            return
        }
    }

    /// The grid worker deletes a household (moved away, merged); false when the handset shows
    /// it under review, which a worker then leaves alone. Synced at the next settle.
    func deleteHousehold(_ key: RecordKey) async throws -> Bool {
        do {
            note(try await client.delete(Household.self, id: key.id))
            return true
        } catch let error as FieldClientError where error.code == .underReview {
            return false
        }
    }
}
