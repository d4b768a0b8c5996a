import Foundation
import GridSyncCore
import GridSyncProtocol

/// One device's push, as the group commit hands it to the store.
public struct PushBatch: Sendable {
    public let device: DeviceRecord
    public let scope: [GridPath]
    public let changes: [CheckedChange]
    public let report: DeviceReport?
    public let receivedAt: Date

    public init(device: DeviceRecord, scope: [GridPath], changes: [CheckedChange], report: DeviceReport?, receivedAt: Date) {
        self.device = device
        self.scope = scope
        self.changes = changes
        self.report = report
        self.receivedAt = receivedAt
    }
}
