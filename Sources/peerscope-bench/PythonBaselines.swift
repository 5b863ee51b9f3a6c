import Foundation

/// One JSON line of py_bench.py.
struct PyBenchResult: Decodable, Sendable {
    var cpuS: Double
    var uploadMbPerS: Double?
    var downloadMbPerS: Double?
    var mbPerS: Double?
    var latencyMs: [Double]?
    var rttMs: [Double]?
}

struct PythonRuns: Sendable {
    var transfer = TransferRuns()
    var streams: [Double] = []
    var connect = ConnectRuns()
    var ping = RTTRuns()
}

enum PythonBenchmarkError: Error, CustomStringConvertible {
    case missingField(String, scenario: String)
    case undecodable(String)

    var description: String {
        switch self {
        case .missingField(let field, let scenario): "py_bench.py \(scenario) result has no \(field)"
        case .undecodable(let line): "py_bench.py printed something that is not its JSON result: \(line.prefix(300))"
        }
    }
}

/// py-libp2p 0.8.1 doing the same work as the node: `py_bench.py listen` (py_peer.py's listener with
/// py's connection limit raised) listens, `py_bench.py ADDR …` dials (a fresh process per scenario). CPU of the listener comes from /proc, the dialer's from its own getrusage around
/// the scenario (start-up and imports excluded).
enum PythonBaselines {
    static func measure(_ context: BenchContext, _ python: PythonSetup) async throws -> PythonRuns {
        let listener = ChildProcess(name: "py listener", executable: python.interpreter,
                                    arguments: [python.benchScript.path, "listen", "--exit-with-parent"],
                                    logDirectory: context.logDirectory)
        try await listener.launch()
        do {
            let address = try await listener.readLine(within: .seconds(60), waitingFor: "py listen address")
            let runs = try await measure(context, python, listener: listener, address: address)
            await listener.stop(grace: .milliseconds(50))
            return runs
        } catch {
            await listener.stop(grace: .milliseconds(50))
            throw error
        }
    }

    private static func measure(
        _ context: BenchContext, _ python: PythonSetup, listener: ChildProcess, address: String
    ) async throws -> PythonRuns {
        let sizes = context.sizes
        var runs = PythonRuns()
        let bytes = sizes.pyPerfBytes
        for _ in 0..<sizes.runs {
            let before = ProcessStats.cpu(of: listener.pid)
            let result = try await dial(context, python, address, ["perf", "--upload", "\(bytes)", "--download", "\(bytes)"])
            var listenerCPU = CPUTime(user: 0, system: 0)
            if let before, let after = ProcessStats.cpu(of: listener.pid) { listenerCPU = after - before }
            guard let upload = result.uploadMbPerS, let download = result.downloadMbPerS else {
                throw PythonBenchmarkError.missingField("upload/download MB/s", scenario: "perf")
            }
            runs.transfer.add(upload: upload, download: download, client: CPUTime(user: result.cpuS, system: 0),
                              server: listenerCPU, bytes: 2 * bytes)

            let streams = try await dial(context, python, address,
                                         ["streams", "--streams", "\(sizes.pyStreamCount)", "--download", "\(sizes.pyStreamBytes)"])
            guard let rate = streams.mbPerS else { throw PythonBenchmarkError.missingField("mb_per_s", scenario: "streams") }
            runs.streams.append(rate)

            for ping in [false, true] {
                let connect = try await dial(context, python, address,
                                             ["connect", "--count", "\(sizes.pyConnects)"] + (ping ? ["--ping"] : []))
                guard let latencies = connect.latencyMs, !latencies.isEmpty else {
                    throw PythonBenchmarkError.missingField("latency_ms", scenario: "connect")
                }
                if ping {
                    runs.connect.connectPingP50.append(Percentile.of(latencies, 50))
                    runs.connect.connectPingP99.append(Percentile.of(latencies, 99))
                } else {
                    runs.connect.connectP50.append(Percentile.of(latencies, 50))
                    runs.connect.connectP99.append(Percentile.of(latencies, 99))
                }
            }

            let ping = try await dial(context, python, address, ["ping", "--count", "\(sizes.pyPings)"])
            guard let rtts = ping.rttMs, !rtts.isEmpty else { throw PythonBenchmarkError.missingField("rtt_ms", scenario: "ping") }
            runs.ping.add(rtts.map { Duration.microseconds(Int64($0 * 1000)) })
        }
        return runs
    }

    private static func dial(
        _ context: BenchContext, _ python: PythonSetup, _ address: String, _ scenario: [String]
    ) async throws -> PyBenchResult {
        let timeout = context.quick ? 60 : 300
        let child = ChildProcess(name: "py dialer \(scenario[0])", executable: python.interpreter,
                                 arguments: [python.benchScript.path, address, "--timeout", "\(timeout)"] + scenario,
                                 logDirectory: context.logDirectory)
        try await child.launch()
        let line: String
        do {
            line = try await child.readLine(within: .seconds(timeout + 30), waitingFor: "py_bench.py \(scenario[0]) result")
        } catch {
            await child.stop(grace: .seconds(1))
            throw error
        }
        await child.stop(grace: .seconds(10))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let result = try? decoder.decode(PyBenchResult.self, from: Data(line.utf8)) else {
            throw PythonBenchmarkError.undecodable(line)
        }
        return result
    }
}
