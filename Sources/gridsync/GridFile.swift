import Foundation
import GridSyncCore
import GridSyncProtocol
import Yams

/// Reads a hierarchy file, collecting every bad row with its line number before anything is
/// sent: an import is all or nothing.
enum GridFile {
    struct Problems: Error {
        var lines: [(line: Int, message: String)] = []
    }

    /// Reports rows read so far and the file's rows in all: once the rows are counted, then
    /// every few hundred rows.
    typealias RowProgress = (_ done: Int, _ total: Int) -> Void

    static func yaml(_ text: String, progress: RowProgress = { _, _ in }) throws -> GridHierarchy {
        var problems = Problems()
        guard let root = try? Yams.compose(yaml: text), let mapping = root.mapping else {
            problems.lines.append((1, "not a YAML mapping with grids: and assignments:"))
            throw problems
        }
        var grids: [GridNode] = []
        var assignments: [Assignment] = []
        var workerLines: [String: Int] = [:]
        let gridNodes = Array(mapping["grids"]?.sequence ?? []), assignmentNodes = Array(mapping["assignments"]?.sequence ?? [])
        var read = 0
        progress(0, gridNodes.count + assignmentNodes.count)
        func count() {
            read += 1
            if read % 500 == 0 { progress(read, gridNodes.count + assignmentNodes.count) }
        }
        for node in gridNodes {
            count()
            let line = node.mark?.line ?? 0
            guard let path = node.mapping?["path"]?.string else { problems.lines.append((line, "a grid needs path:")); continue }
            guard let grid = GridPath(path) else { problems.lines.append((line, "'\(path)' is not a grid path (lower-case segments separated by /)")); continue }
            grids.append(GridNode(path: grid, name: node.mapping?["name"]?.string))
        }
        for node in assignmentNodes {
            count()
            let line = node.mark?.line ?? 0
            guard let worker = node.mapping?["worker"]?.string, !worker.trimmingCharacters(in: .whitespaces).isEmpty else {
                problems.lines.append((line, "an assignment needs worker:")); continue
            }
            let listed = node.mapping?["grids"]?.sequence.map { Array($0) } ?? []
            guard !listed.isEmpty else { problems.lines.append((line, "\(worker) needs at least one grid under grids:")); continue }
            var paths: [GridPath] = []
            for item in listed {
                if let text = item.string, let path = GridPath(text) { paths.append(path) }
                else { problems.lines.append((item.mark?.line ?? line, "'\(item.string ?? "?")' is not a grid path")) }
            }
            assignments.append(Assignment(worker: worker, grids: paths))
            workerLines[worker] = workerLines[worker] ?? line
        }
        if mapping["grids"] == nil { problems.lines.append((1, "missing grids:")) }
        problems.lines += unknownGrids(grids: grids, assignments: assignments, lineOf: { workerLines[$0] ?? 0 })
        guard problems.lines.isEmpty else { throw problems }
        return GridHierarchy(grids: grids, assignments: assignments)
    }

    static func csv(_ text: String, progress: RowProgress = { _, _ in }) throws -> GridHierarchy {
        var problems = Problems()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .init(charactersIn: "\r")) }
        guard let header = lines.first?.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }),
              header == ["kind", "path", "name", "worker"] else {
            problems.lines.append((1, "the header must be kind,path,name,worker"))
            throw problems
        }
        var grids: [GridNode] = []
        var byWorker: [String: [GridPath]] = [:]
        var workerLines: [String: Int] = [:]
        progress(0, lines.count - 1)
        for (index, line) in lines.enumerated().dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            if index % 500 == 0 { progress(index, lines.count - 1) }
            let number = index + 1
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 4 else { problems.lines.append((number, "expected 4 columns, found \(cells.count)")); continue }
            guard let path = GridPath(cells[1]) else { problems.lines.append((number, "'\(cells[1])' is not a grid path")); continue }
            switch cells[0] {
            case "grid": grids.append(GridNode(path: path, name: cells[2].isEmpty ? nil : cells[2]))
            case "assignment":
                guard !cells[3].isEmpty else { problems.lines.append((number, "an assignment needs a worker")); continue }
                byWorker[cells[3], default: []].append(path)
                workerLines[cells[3]] = workerLines[cells[3]] ?? number
            default: problems.lines.append((number, "kind must be grid or assignment, not '\(cells[0])'"))
            }
        }
        let assignments = byWorker.keys.sorted().map { Assignment(worker: $0, grids: byWorker[$0]!) }
        problems.lines += unknownGrids(grids: grids, assignments: assignments, lineOf: { workerLines[$0] ?? 0 })
        guard problems.lines.isEmpty else { throw problems }
        return GridHierarchy(grids: grids, assignments: assignments)
    }

    /// Assignments to grids that the file does not list, or list no ancestor of.
    static func unknownGrids(grids: [GridNode], assignments: [Assignment], lineOf: (String) -> Int) -> [(line: Int, message: String)] {
        let known = Set(grids.map(\.path))
        return assignments.flatMap { assignment in
            assignment.grids.filter { grid in !known.covers(grid) }
                .map { (lineOf(assignment.worker), "\(assignment.worker) is assigned \($0), which is not under any listed grid") }
        }
    }
}
