import Foundation
import GridSyncSimulation

/// The live status line on a terminal: the day's phase, terminals synced, changes on the
/// server, requests a second and errors, redrawn in place on stderr four times a second.
struct ProgressLine: Sendable {
    let task: Task<Void, Never>
    let meter: DayMeter

    static func start(showing meter: DayMeter) -> ProgressLine {
        let task = Task.detached(priority: .utility) {
            while !Task.isCancelled {
                draw(meter.snapshot.line)
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        return ProgressLine(task: task, meter: meter)
    }

    /// Stops redrawing and clears the line, so the summary starts on a clean one.
    func stop() async {
        task.cancel()
        _ = await task.value
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    private static func draw(_ line: String) {
        let width = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 120
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + String(line.prefix(max(20, width - 1)))).utf8))
    }
}
