import ArgumentParser
import Foundation
import GridSyncAdmin
import GridSyncConsole
import GridSyncCore
import GridSyncProtocol

struct GridsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grids",
        abstract: "Import and list the grid hierarchy and who covers what.",
        subcommands: [Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the hierarchy and all assignments from a YAML or CSV file; nothing changes if any row is bad.",
            discussion: """
                YAML:
                  grids:
                    - path: futian/shatou
                      name: 沙头街道
                  assignments:
                    - worker: zhang.wei
                      grids: [futian/shatou/community-03/grid-12]

                CSV (a header row, then one row per grid or assignment):
                  kind,path,name,worker
                  grid,futian/shatou,沙头街道,
                  assignment,futian/shatou/community-03/grid-12,,zhang.wei

                Example:
                  gridsync grids import district.yaml
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "A .yaml, .yml or .csv file.") var file: String
        @Flag(help: "No progress on stderr: only the result.") var quiet = false

        func run() async throws {
            try await guarded {
                let client = try connection.client()
                let progress = ConsoleProgress(mode: .choose(quiet: quiet))
                do {
                    let saved = try await client.replaceHierarchy(try read(progress: progress))
                    await progress.finish()
                    if output.json { return try Output.json(saved) }
                    print("imported \(saved.grids.count) grids and \(saved.assignments.count) assignments")
                } catch {
                    await progress.finish()
                    throw error
                }
            }
        }

        /// Reads and checks the whole file before anything is sent (all or nothing), then says
        /// what goes to the server: a city's file of tens of thousands of rows takes a while.
        private func read(progress: ConsoleProgress) throws -> GridHierarchy {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw CLIError(.invalid, "cannot read \(file)")
            }
            progress.phase("reading \(file)", unit: "rows")
            let hierarchy: GridHierarchy
            do {
                let report: GridFile.RowProgress = { done, total in progress.advance(to: done, of: total) }
                hierarchy = file.lowercased().hasSuffix(".csv") ? try GridFile.csv(text, progress: report) : try GridFile.yaml(text, progress: report)
            } catch let error as GridFile.Problems {
                throw CLIError(.invalid, "\(file) has \(error.lines.count) bad row(s); nothing was imported:\n" +
                               error.lines.map { "  line \($0.line): \($0.message)" }.joined(separator: "\n"))
            }
            progress.phase("sending \(hierarchy.grids.count) grids and \(hierarchy.assignments.count) assignments; the server checks and replaces them in one step")
            return hierarchy
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List grids and the workers assigned to them.",
            discussion: "Example:\n  gridsync grids list")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await guarded {
                let hierarchy = try await connection.client().hierarchy()
                if output.json { return try Output.json(hierarchy) }
                var workers: [GridPath: [String]] = [:]
                for assignment in hierarchy.assignments {
                    for grid in assignment.grids { workers[grid, default: []].append(assignment.worker) }
                }
                let paths = Set(hierarchy.grids.map(\.path)).union(workers.keys).sorted()
                let names = Dictionary(hierarchy.grids.map { ($0.path, $0.name ?? "") }, uniquingKeysWith: { first, _ in first })
                Output.table(["grid", "level", "name", "workers"], paths.map { path in
                    [path.description, path.level.rawValue, names[path] ?? "", (workers[path] ?? []).sorted().joined(separator: ", ")]
                })
            }
        }
    }
}
