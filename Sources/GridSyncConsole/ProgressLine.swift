import Foundation

/// The live status line on a terminal: whatever `status` says, redrawn in place on stderr four
/// times a second, so that stdout stays the command's output and a script piping it sees no
/// progress at all.
public struct ProgressLine: Sendable {
    let task: Task<Void, Never>

    public static func start(status: @escaping @Sendable () -> String) -> ProgressLine {
        let task = Task.detached(priority: .utility) {
            while !Task.isCancelled {
                draw(status())
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        return ProgressLine(task: task)
    }

    /// Stops redrawing and clears the line, so the summary starts on a clean one.
    public func stop() async {
        task.cancel()
        _ = await task.value
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    private static func draw(_ line: String) {
        let width = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 120
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + String(line.prefix(max(20, width - 1)))).utf8))
    }
}
