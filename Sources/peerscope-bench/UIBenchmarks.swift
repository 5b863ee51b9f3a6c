import Node
import TermUI

struct UIRuns: Sendable {
    /// Median time of one `render` per run, milliseconds.
    var frameMilliseconds: [Double] = []
    /// Recorded node events replayed through `update`, per second of wall time.
    var eventsPerSecond: [Double] = []
    var snapshotMilliseconds: [Double] = []
    var snapshotApplyMilliseconds: [Double] = []
    var connections = 0
    var recordedEvents = 0
}

/// Figure 8: the UI model and renderer fed with what a real node produced. A dialing host in this process
/// opens `idleConnections` upgraded connections to a `serve` child while its event stream is recorded;
/// each run then replays every recorded event through `update` into a fresh `AppState` (as the UI does),
/// applies a fresh `Host.snapshot()` of the 10,000 live connections, and times frames of the full layout.
enum UIBenchmarks {
    static let size = TerminalSize(width: 120, height: 36)
    static let framesPerRun = 30

    static func measure(_ context: BenchContext) async throws -> UIRuns {
        let count = context.sizes.idleConnections
        let workers = context.sizes.dialConcurrency
        return try await withServer(context) { server in
            try await withClientHost { host in
                // Dialing one connection publishes a few dozen events (dial, upgrade steps, identify).
                let events = host.events(bufferLimit: 64 * count + 1024)
                let recorder = Task {
                    var records: [EventRecord<NodeEvent>] = []
                    for await record in events { records.append(record) }
                    return records
                }
                let address = try server.listenAddress()
                let held = try await dialMany(host, address, count: count, concurrency: workers)
                // Identify runs after each upgrade; let the last ones finish so their events are recorded.
                try await waitUntil("identify on \(count) connections", within: .seconds(60), every: .milliseconds(50)) {
                    await host.snapshot().connections.filter { $0.agentVersion != nil }.count >= count
                }
                var runs = UIRuns()
                runs.connections = held.count
                let clock = ContinuousClock()
                // The recorder is stopped only after the snapshots below, which would otherwise race with it.
                var snapshots: [HostSnapshot] = []
                for _ in 0..<context.sizes.runs {
                    let start = clock.now
                    snapshots.append(await host.snapshot())
                    runs.snapshotMilliseconds.append((clock.now - start).seconds * 1000)
                }
                recorder.cancel()
                let records = await recorder.value
                runs.recordedEvents = records.count
                let dropped = records.reduce(0) { $0 + $1.droppedBefore }
                guard dropped == 0 else { throw UIBenchmarkError.eventsDropped(dropped) }
                for snapshot in snapshots {
                    var state = AppState(size: size, now: records.first?.time ?? clock.now)
                    let replayStart = clock.now
                    replay(records, into: &state)
                    runs.eventsPerSecond.append(Double(records.count) / (clock.now - replayStart).seconds)

                    let applyStart = clock.now
                    _ = update(&state, .snapshot(snapshot))
                    runs.snapshotApplyMilliseconds.append((clock.now - applyStart).seconds * 1000)
                    guard state.connections.count >= count else {
                        throw UIBenchmarkError.missingRows(expected: count, got: state.connections.count)
                    }
                    state.selectedConnection = state.connections.count / 2
                    runs.frameMilliseconds.append(medianFrameMilliseconds(state, clock: clock))
                }
                withExtendedLifetime(held) {}
                return runs
            }
        }
    }

    /// Feeds events in order with a clock tick whenever 33 ms of recorded time passed, as the UI's
    /// 30-frames-per-second loop would.
    private static func replay(_ records: [EventRecord<NodeEvent>], into state: inout AppState) {
        var lastTick = records.first?.time
        for record in records {
            if let last = lastTick, record.time - last >= .milliseconds(33) {
                _ = update(&state, .tick(record.time))
                lastTick = record.time
            }
            _ = update(&state, .node(record))
        }
        if let last = records.last { _ = update(&state, .tick(last.time)) }
    }

    private static func medianFrameMilliseconds(_ state: AppState, clock: ContinuousClock) -> Double {
        var frames: [Double] = []
        var cells = 0
        for _ in 0..<framesPerRun {
            let start = clock.now
            let grid = render(state)
            frames.append((clock.now - start).seconds * 1000)
            cells &+= grid.width
        }
        precondition(cells == framesPerRun * size.width, "every frame covers the terminal")
        return Summary.median(ofSorted: frames.sorted())
    }
}

enum UIBenchmarkError: Error, CustomStringConvertible {
    case missingRows(expected: Int, got: Int)
    case eventsDropped(Int)

    var description: String {
        switch self {
        case .missingRows(let expected, let got):
            "the UI model shows \(got) connection rows after the replay and snapshot, expected at least \(expected)"
        case .eventsDropped(let count):
            "the recorder lost \(count) node events (its buffer was full); the replay would not be what the node published"
        }
    }
}
