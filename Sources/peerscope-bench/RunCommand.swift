import ArgumentParser
import Foundation

/// Runs every benchmark (baselines first), prints the table and writes BENCHMARKS.md.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the benchmarks and write the results (the default command).")

    @Flag(help: "Tiny sizes and one run: proves every benchmark still works, measures nothing.")
    var quick = false

    @Option(help: "Runs per figure (default 5; 1 with --quick).")
    var runs: Int?

    @Option(help: "Markdown file to update (default BENCHMARKS.md in the package root; none with --quick or --only).")
    var output: String?

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    @Option(help: "py-libp2p interpreter (default: $PEERSCOPE_PYTHON, then .venv/bin/python).")
    var python: String?

    @Flag(name: .customLong("no-python"), help: "Skip the py-libp2p baseline.")
    var noPython = false

    @Option(help: "Comma-separated subset: chacha (also handshake crypto), tcp, py, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11.")
    var only: String?

    @Option(help: "The command to record in BENCHMARKS.md (default: this process's arguments).")
    var command: String?

    @Option(help: "Whole-run limit in seconds; past it every child is killed and the run ends with code 3.")
    var timeLimit: Int?

    func run() async throws {
        var sizes = quick ? BenchSizes.quick : BenchSizes.full
        if let runs { sizes.runs = max(1, runs) }
        Watchdog.start(limit: .seconds(timeLimit ?? (quick ? 300 : 1800)))
        let root = PackageRoot.find()
        let logDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("peerscope-bench-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let context = BenchContext(
            sizes: sizes, quick: quick, executable: PackageRoot.ownExecutable(), logDirectory: logDirectory,
            python: noPython ? nil : PackageRoot.python(explicit: python, root: root))
        var machine = MachineDescription.current()
        let selection = only.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
        let runner = SectionRunner(selection: selection)
        let clock = ContinuousClock()
        let started = clock.now
        let date = ISO8601DateFormatter().string(from: Date())

        var rows = ResultRows(sizes: sizes)
        if let value = await runner.run("chacha", "B ChaChaPoly", limit: context.limit(full: 120), {
            try ThroughputBenchmarks.chacha(context)
        })?.value(failingInto: &rows, "B", "ChaChaPoly baseline") {
            rows.chacha(value)
        }
        if let value = await runner.run("chacha", "B handshake crypto", limit: context.limit(full: 120), {
            try ThroughputBenchmarks.handshakeCrypto(context)
        })?.value(failingInto: &rows, "B", "handshake crypto baseline") {
            rows.handshakeCrypto(value)
        }
        if let value = await runner.run("tcp", "B raw TCP perf", limit: context.limit(full: 120), {
            try await ThroughputBenchmarks.rawTCP(context)
        })?.value(failingInto: &rows, "B", "raw TCP baseline") {
            rows.rawTCP(value)
        }
        if let value = await runner.run("tcp", "B raw TCP echo", limit: context.limit(full: 120), {
            try await LatencyBenchmarks.rawPing(context)
        })?.value(failingInto: &rows, "B", "raw TCP echo baseline") {
            rows.rawPing(value)
        }
        if let python = context.python {
            if let value = await runner.run("py", "py-libp2p baseline", limit: context.limit(full: 600), {
                try await PythonBaselines.measure(context, python)
            })?.value(failingInto: &rows, "py", "py-libp2p baseline") {
                rows.python(value)
            }
        } else if runner.wants("py") {
            let reason = noPython ? "skipped (--no-python)"
                : "no py-libp2p interpreter found (set PEERSCOPE_PYTHON or run `make bootstrap-python`)"
            rows.fail("py", "py-libp2p baseline", reason: reason)
        }
        if let value = await runner.run("1", "1 perf, one stream", limit: context.limit(full: 300), {
            try await ThroughputBenchmarks.perf(context)
        })?.value(failingInto: &rows, "1", "perf, one stream") {
            rows.perf(value)
        }
        if let value = await runner.run("2", "2 concurrent streams", limit: context.limit(full: 300), {
            try await ThroughputBenchmarks.concurrentStreams(context)
        })?.value(failingInto: &rows, "2", "concurrent streams") {
            rows.streams(value)
        }
        if let value = await runner.run("3", "3 connect latency", limit: context.limit(full: 300), {
            try await ConnectionBenchmarks.connect(context)
        })?.value(failingInto: &rows, "3", "connect latency") {
            rows.connect(value)
        }
        if let value = await runner.run("4", "4 inbound upgrades per second", limit: context.limit(full: 300), {
            try await ConnectionBenchmarks.upgrades(context)
        })?.value(failingInto: &rows, "4", "inbound upgrades per second") {
            rows.upgrades(value)
        }
        if let value = await runner.run("5", "5 ping RTT", limit: context.limit(full: 300), {
            try await LatencyBenchmarks.ping(context)
        })?.value(failingInto: &rows, "5", "ping RTT") {
            rows.ping(value)
        }
        if let value = await runner.run("6", "6 idle connections", limit: context.limit(full: 600), {
            try await MemoryBenchmarks.idleConnections(context)
        })?.value(failingInto: &rows, "6", "idle connections") {
            rows.idleConnections(value)
        }
        if let value = await runner.run("7", "7 open streams", limit: context.limit(full: 600), {
            try await MemoryBenchmarks.openStreams(context)
        })?.value(failingInto: &rows, "7", "open streams") {
            rows.openStreams(value)
        }
        if let value = await runner.run("8", "8 UI with 10,000 connections", limit: context.limit(full: 600), {
            try await UIBenchmarks.measure(context)
        })?.value(failingInto: &rows, "8", "UI") {
            rows.ui(value)
        }
        if let value = await runner.run("9", "9 TLS against Noise", limit: context.limit(full: 600), {
            try await SecurityBenchmarks.measure(context)
        })?.value(failingInto: &rows, "9", "TLS against Noise") {
            rows.security(value)
        }
        if let value = await runner.run("11", "11 transports: WebSocket and QUIC against TCP", limit: context.limit(full: 600), {
            try await TransportBenchmarks.measure(context)
        })?.value(failingInto: &rows, "11", "transports") {
            rows.transports(value)
        }
        if let python = context.python {
            if let value = await runner.run("10", "10 connect to kubo", limit: context.limit(full: 900), {
                try await KuboBaselines.measure(context, python)
            })?.value(failingInto: &rows, "10", "connect to kubo") {
                rows.kubo(value)
            }
        } else if runner.wants("10") {
            rows.fail("10", "connect to kubo", reason: noPython ? "skipped (--no-python)"
                : "no interpreter with kubo-python found (run `make bootstrap-python`)")
        }
        // The crypto ceiling again at the end: a baseline measured while other work shares the machine
        // comes out low, and the load changes over a run.
        if let value = await runner.run("chacha", "B ChaChaPoly (again)", limit: context.limit(full: 120), {
            try ThroughputBenchmarks.chacha(context)
        })?.value(failingInto: &rows, "B", "ChaChaPoly baseline (end of run)") {
            rows.chacha(value)
        }

        machine.loadAverageAtEnd = MachineDescription.loadAverage()
        for row in rows.rows {
            if let failure = row.failure { rows.note("\(row.figure) \(row.what) failed: \(failure)") }
        }
        let report = RunReport(
            date: date, command: command ?? CommandLine.arguments.joined(separator: " "), quick: quick,
            machine: machine, sizes: sizes, rows: rows.rows, notes: rows.notes,
            durationSeconds: (clock.now - started).seconds)
        print(ResultTable.plain(report.rows))
        for note in report.notes { print("note: " + note) }
        // Only a complete measuring run replaces the results in BENCHMARKS.md unless a file is named.
        let isCompleteRun = !quick && selection == nil
        if let outputPath = output ?? (isCompleteRun ? root.appendingPathComponent("BENCHMARKS.md").path : nil) {
            try BenchmarksFile.write(report, to: URL(fileURLWithPath: outputPath))
            print("wrote \(outputPath)")
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
        let failed = report.rows.filter { $0.failure != nil }
        if failed.isEmpty {
            try? FileManager.default.removeItem(at: logDirectory)
        } else {
            FileHandle.standardError.write(Data(
                "peerscope-bench: \(failed.count) benchmark(s) failed; child logs kept in \(logDirectory.path)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Runs one benchmark section under its deadline, reporting progress on stderr.
struct SectionRunner: Sendable {
    let selection: Set<String>?

    func wants(_ id: String) -> Bool { selection?.contains(id) ?? true }

    func run<T: Sendable>(
        _ id: String, _ title: String, limit: Duration, _ operation: @escaping @Sendable () async throws -> T
    ) async -> SectionResult<T>? {
        guard wants(id) else { return nil }
        progress("\(title) …")
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let value = try await withDeadline(limit, title, operation)
            progress("\(title): done in \(Format.number((clock.now - start).seconds)) s")
            return SectionResult(result: .success(value))
        } catch {
            progress("\(title): FAILED: \(error)")
            // A section that overran may have left a child mid-transfer; none of it is needed any more.
            if error is DeadlineExceeded { ChildRegistry.shared.killAll() }
            return SectionResult(result: .failure(error))
        }
    }

    private func progress(_ text: String) {
        FileHandle.standardError.write(Data("peerscope-bench: \(text)\n".utf8))
    }
}

struct SectionResult<T: Sendable> {
    let result: Result<T, any Error>

    /// The value, or nil after recording the failure as a row.
    func value(failingInto rows: inout ResultRows, _ figure: String, _ what: String) -> T? {
        switch result {
        case .success(let value):
            return value
        case .failure(let error):
            rows.fail(figure, what, error)
            return nil
        }
    }
}

/// Finds the package (for the py scripts and BENCHMARKS.md) and this executable.
enum PackageRoot {
    static let peerScript = "Tests/Interop/py_peer.py"
    static let benchScript = "Tests/Interop/py_bench.py"

    /// The first directory holding Package.swift, from the working directory up, then from the executable up.
    static func find() -> URL {
        let starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath), ownExecutable().deletingLastPathComponent()]
        for start in starts {
            var directory = start
            while directory.path != "/" {
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                    return directory
                }
                directory = directory.deletingLastPathComponent()
            }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    static func ownExecutable() -> URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0])
    }

    static func python(explicit: String?, root: URL) -> PythonSetup? {
        let environment = ProcessInfo.processInfo.environment["PEERSCOPE_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
        let interpreter = URL(fileURLWithPath: explicit ?? environment ?? ".venv/bin/python", relativeTo: root)
        let peer = root.appendingPathComponent(peerScript)
        let bench = root.appendingPathComponent(benchScript)
        guard FileManager.default.isExecutableFile(atPath: interpreter.path),
              FileManager.default.fileExists(atPath: peer.path),
              FileManager.default.fileExists(atPath: bench.path)
        else { return nil }
        return PythonSetup(interpreter: interpreter, benchScript: bench)
    }
}
