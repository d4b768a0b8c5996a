import Foundation
import Synchronization

/// How a long operation of an ops tool shows what it is doing, on stderr only (stdout, `--json`
/// and the exit code never change): on a terminal one status line redrawn in place, elsewhere
/// (a log, CI) one timed line per phase, and nothing at all with `--quiet`.
public enum ProgressMode: Sendable {
    case live, lines, quiet

    /// Live when stderr is a terminal, lines when it is not, quiet when asked.
    public static func choose(quiet: Bool) -> ProgressMode {
        quiet ? .quiet : isatty(STDERR_FILENO) == 1 ? .live : .lines
    }
}

/// One operation's progress: its phases, and a count within the current one ("12000 of 20212
/// rows"). Shared by the redraw task and the code doing the work, hence the lock.
public final class ConsoleProgress: Sendable {
    public let mode: ProgressMode
    private let started = Date()
    private let state = Mutex<(phase: String, done: Int, total: Int, unit: String)>(("starting", 0, 0, ""))
    private let line = Mutex<ProgressLine?>(nil)

    public init(mode: ProgressMode) {
        self.mode = mode
        if mode == .live {
            line.withLock { $0 = ProgressLine.start(status: { [weak self] in self?.status ?? "" }) }
        }
    }

    /// A new phase: said once as a line off a terminal, shown live on one.
    public func phase(_ text: String, total: Int = 0, unit: String = "") {
        state.withLock { $0 = (text, 0, total, unit) }
        if mode == .lines {
            FileHandle.standardError.write(Data("[\(String(format: "%6.1f", elapsed))s] \(text)\n".utf8))
        }
    }

    /// How far the current phase has come, and of how many when that is known better now.
    public func advance(to done: Int, of total: Int? = nil) {
        state.withLock { state in
            state.done = done
            if let total { state.total = total }
        }
    }

    /// The status line as it stands: elapsed time, phase, and the count when there is one.
    public var status: String {
        let now = state.withLock { $0 }
        var text = String(format: "%6.1fs ", elapsed) + now.phase
        if now.total > 0 { text += ": \(now.done) of \(now.total) \(now.unit)" }
        return text
    }

    /// Ends the display: the live line is cleared, so what follows starts on a clean line.
    public func finish() async {
        let shown = line.withLock { line in
            defer { line = nil }
            return line
        }
        await shown?.stop()
    }

    private var elapsed: Double { Date().timeIntervalSince(started) }
}
