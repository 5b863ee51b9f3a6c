/// Turns the measured runs into table rows, each next to its baseline from the same run. Baselines are
/// resolved when the rows are read, so a baseline measured again later in the run (ChaChaPoly, at the start
/// and at the end) counts with all its runs.
struct ResultRows {
    let sizes: BenchSizes
    private var entries: [Entry] = []
    private(set) var notes: [String] = []
    private var baselines: [Baseline: Double] = [:]

    private enum Baseline: Hashable {
        case chachaCore, handshakeSide, rawUpload, rawDownload, rawCPU, rawRTT50, rawRTT99
        case pyUpload, pyDownload, pyCPU, pyStreams, pyConnect50, pyConnect99, pyConnectPing50, pyConnectPing99, pyPing50
        case noiseConnect50, noiseListenerCPU, noiseDialerCPU, noiseUpload, noiseDownload
        case tcpConnect50, tcpUpload, tcpDownload, tcpAggregate
        case kuboConnect50(String), kuboConnect99(String)
    }

    private struct Entry {
        var row: ResultRow
        var baseline: (name: String, key: Baseline, transform: @Sendable (Double) -> Double)?
    }

    init(sizes: BenchSizes) {
        self.sizes = sizes
    }

    var rows: [ResultRow] {
        entries.map { entry in
            var row = entry.row
            if let baseline = entry.baseline, let value = baselines[baseline.key] {
                row.baseline = BaselineRef(name: baseline.name, value: baseline.transform(value))
            }
            return row
        }
    }

    mutating func fail(_ figure: String, _ what: String, _ error: any Error) {
        fail(figure, what, reason: "\(error)")
    }

    mutating func fail(_ figure: String, _ what: String, reason: String) {
        entries.append(Entry(row: .failed(figure, what, reason)))
    }

    mutating func note(_ text: String) { notes.append(text) }

    private mutating func add(
        _ figure: String, _ what: String, _ unit: String, _ runs: [Double],
        vs baseline: (String, Baseline)? = nil, transform: @escaping @Sendable (Double) -> Double = { $0 },
        targets: [Target] = [], lowerIsBetter: Bool = false
    ) {
        let row = ResultRow(figure: figure, what: what, unit: unit, runs: runs, targets: targets, lowerIsBetter: lowerIsBetter)
        entries.append(Entry(row: row, baseline: baseline.map { ($0.0, $0.1, transform) }))
    }

    /// Adds runs to the row `what` of figure `figure` if it exists; false if it does not.
    private mutating func appendRuns(_ figure: String, _ what: String, _ runs: [Double]) -> Bool {
        guard let index = entries.firstIndex(where: { $0.row.figure == figure && $0.row.what == what }) else { return false }
        entries[index].row.runs += runs
        return true
    }

    private func runs(_ figure: String, _ what: String) -> [Double] {
        entries.first { $0.row.figure == figure && $0.row.what == what }?.row.runs ?? []
    }

    private func median(_ runs: [Double]) -> Double? { runs.isEmpty ? nil : Summary(runs).median }

    private mutating func setBaseline(_ key: Baseline, _ runs: [Double]) {
        baselines[key] = median(runs)
    }

    // MARK: - Baselines

    /// Called at the start and again at the end of the run; the second call adds its runs to the same rows.
    mutating func chacha(_ runs: ChaChaRuns) {
        let seal = "ChaChaPoly seal, 65519-byte frames, 1 core"
        let open = "ChaChaPoly open, 65519-byte frames, 1 core"
        let both = "ChaChaPoly seal + open on the same core"
        if !appendRuns("B", seal, runs.seal) { add("B", seal, "MB/s", runs.seal) }
        if !appendRuns("B", open, runs.open) { add("B", open, "MB/s", runs.open) }
        if !appendRuns("B", both, runs.sealAndOpen) { add("B", both, "MB/s", runs.sealAndOpen) }
        if let sealMedian = median(self.runs("B", seal)), let openMedian = median(self.runs("B", open)) {
            baselines[.chachaCore] = min(sealMedian, openMedian)
        }
    }

    mutating func handshakeCrypto(_ runs: [Double]) {
        add("B", "Noise XX crypto, one side: X25519 key pair + 3 DH + Ed25519 sign + verify, 1 core", "µs", runs,
            lowerIsBetter: true)
        setBaseline(.handshakeSide, runs)
    }

    mutating func rawTCP(_ runs: TransferRuns) {
        let size = Bytes.text(sizes.perfBytes)
        add("B", "raw TCP upload, \(size), 1 connection", "MB/s", runs.upload)
        add("B", "raw TCP download, \(size)", "MB/s", runs.download)
        add("B", "raw TCP CPU, both processes", "s/GB", runs.cpuPerGB, lowerIsBetter: true)
        setBaseline(.rawUpload, runs.upload)
        setBaseline(.rawDownload, runs.download)
        setBaseline(.rawCPU, runs.cpuPerGB)
    }

    mutating func rawPing(_ runs: RTTRuns) {
        add("B", "raw TCP 32-byte echo RTT p50 (NIOAsyncChannel)", "µs", runs.p50, lowerIsBetter: true)
        add("B", "raw TCP 32-byte echo RTT p99", "µs", runs.p99, lowerIsBetter: true)
        setBaseline(.rawRTT50, runs.p50)
        setBaseline(.rawRTT99, runs.p99)
    }

    mutating func python(_ runs: PythonRuns) {
        let size = Bytes.text(sizes.pyPerfBytes)
        add("py", "py-libp2p perf upload, \(size), 1 stream", "MB/s", runs.transfer.upload)
        add("py", "py-libp2p perf download, \(size)", "MB/s", runs.transfer.download)
        add("py", "py-libp2p perf CPU, both processes", "s/GB", runs.transfer.cpuPerGB, lowerIsBetter: true)
        add("py", "py-libp2p \(sizes.pyStreamCount) streams × \(Bytes.text(sizes.pyStreamBytes)), aggregate", "MB/s", runs.streams)
        add("py", "py-libp2p connect p50 (\(sizes.pyConnects) per run)", "ms", runs.connect.connectP50, lowerIsBetter: true)
        add("py", "py-libp2p connect p99", "ms", runs.connect.connectP99, lowerIsBetter: true)
        add("py", "py-libp2p connect + first ping p50", "ms", runs.connect.connectPingP50, lowerIsBetter: true)
        add("py", "py-libp2p connect + first ping p99", "ms", runs.connect.connectPingP99, lowerIsBetter: true)
        add("py", "py-libp2p ping RTT p50 (\(sizes.pyPings) per run)", "µs", runs.ping.p50, lowerIsBetter: true)
        add("py", "py-libp2p ping RTT p99", "µs", runs.ping.p99, lowerIsBetter: true)
        setBaseline(.pyUpload, runs.transfer.upload)
        setBaseline(.pyDownload, runs.transfer.download)
        setBaseline(.pyCPU, runs.transfer.cpuPerGB)
        setBaseline(.pyStreams, runs.streams)
        setBaseline(.pyConnect50, runs.connect.connectP50)
        setBaseline(.pyConnect99, runs.connect.connectP99)
        setBaseline(.pyConnectPing50, runs.connect.connectPingP50)
        setBaseline(.pyConnectPing99, runs.connect.connectPingP99)
        setBaseline(.pyPing50, runs.ping.p50)
    }

    // MARK: - Figures

    mutating func perf(_ runs: TransferRuns) {
        let size = Bytes.text(sizes.perfBytes)
        add("1", "perf upload, \(size), 1 stream", "MB/s", runs.upload,
            vs: ("ChaChaPoly 1 core", .chachaCore), targets: [.atLeast(1000), .ratioAtLeast(0.7)])
        add("1", "perf upload (vs raw TCP)", "MB/s", runs.upload, vs: ("raw TCP", .rawUpload))
        add("1", "perf upload (vs py-libp2p)", "MB/s", runs.upload, vs: ("py-libp2p", .pyUpload), targets: [.ratioAtLeast(6)])
        add("1", "perf download, \(size), 1 stream", "MB/s", runs.download,
            vs: ("ChaChaPoly 1 core", .chachaCore), targets: [.atLeast(1000), .ratioAtLeast(0.7)])
        add("1", "perf download (vs raw TCP)", "MB/s", runs.download, vs: ("raw TCP", .rawDownload))
        add("1", "perf download (vs py-libp2p)", "MB/s", runs.download, vs: ("py-libp2p", .pyDownload),
            targets: [.ratioAtLeast(6)])
        add("1", "perf CPU, both processes (vs raw TCP)", "s/GB", runs.cpuPerGB, vs: ("raw TCP", .rawCPU), lowerIsBetter: true)
        add("1", "perf CPU, both processes (vs py-libp2p)", "s/GB", runs.cpuPerGB, vs: ("py-libp2p", .pyCPU),
            lowerIsBetter: true)
        if let client = median(runs.clientCPUPerGB), let server = median(runs.serverCPUPerGB) {
            note("Figure 1 CPU split (medians): dialer \(Format.number(client)) s/GB, listener \(Format.number(server)) s/GB.")
        }
    }

    mutating func streams(_ runs: [Double]) {
        add("2", "\(sizes.streamCount) streams × \(Bytes.text(sizes.streamBytes)) on 1 connection, aggregate", "MB/s", runs,
            vs: ("py-libp2p \(sizes.pyStreamCount) × \(Bytes.text(sizes.pyStreamBytes))", .pyStreams))
    }

    mutating func connect(_ runs: ConnectRuns) {
        add("3", "connect p50 (\(sizes.connects) fresh connections per run)", "ms", runs.connectP50,
            vs: ("py-libp2p", .pyConnect50), targets: [.atMost(0.6)], lowerIsBetter: true)
        add("3", "connect p50 (vs handshake crypto of both sides)", "ms", runs.connectP50,
            vs: ("crypto, 2 sides", .handshakeSide), transform: { 2 * $0 / 1000 }, lowerIsBetter: true)
        add("3", "connect p99", "ms", runs.connectP99, vs: ("py-libp2p", .pyConnect99), lowerIsBetter: true)
        add("3", "connect + first ping p50", "ms", runs.connectPingP50,
            vs: ("py-libp2p", .pyConnectPing50), targets: [.atMost(1)], lowerIsBetter: true)
        add("3", "connect + first ping p99", "ms", runs.connectPingP99, vs: ("py-libp2p", .pyConnectPing99),
            lowerIsBetter: true)
    }

    /// Figure 9: each TLS row against the Noise row measured in the same runs.
    mutating func security(_ runs: [String: SecurityRuns]) {
        if let noise = runs["noise"] {
            setBaseline(.noiseConnect50, noise.connectP50)
            setBaseline(.noiseListenerCPU, noise.listenerCPUPerConnect)
            setBaseline(.noiseDialerCPU, noise.dialerCPUPerConnect)
            setBaseline(.noiseUpload, noise.upload)
            setBaseline(.noiseDownload, noise.download)
        }
        let connects = max(sizes.connects / 4, 5)
        let size = Bytes.text(sizes.perfBytes / 4)
        for name in SecurityBenchmarks.protocols {
            guard let run = runs[name] else { continue }
            let vs: (String, Baseline)? = name == "noise" ? nil : ("Noise", .noiseConnect50)
            add("9", "\(name): connect p50 (\(connects) per run)", "ms", run.connectP50, vs: vs, lowerIsBetter: true)
            add("9", "\(name): listener CPU per connection", "ms", run.listenerCPUPerConnect,
                vs: name == "noise" ? nil : ("Noise", .noiseListenerCPU), lowerIsBetter: true)
            add("9", "\(name): dialer CPU per connection", "ms", run.dialerCPUPerConnect,
                vs: name == "noise" ? nil : ("Noise", .noiseDialerCPU), lowerIsBetter: true)
            add("9", "\(name): perf upload, \(size), 1 stream", "MB/s", run.upload,
                vs: name == "noise" ? nil : ("Noise", .noiseUpload))
            add("9", "\(name): perf download, \(size), 1 stream", "MB/s", run.download,
                vs: name == "noise" ? nil : ("Noise", .noiseDownload))
        }
    }

    /// Figure 11: each transport against TCP measured in the same runs (Noise and yamux over TCP and WebSocket).
    mutating func transports(_ runs: [String: TransportRuns]) {
        if let tcp = runs["tcp"] {
            setBaseline(.tcpConnect50, tcp.connectP50)
            setBaseline(.tcpUpload, tcp.upload)
            setBaseline(.tcpDownload, tcp.download)
            setBaseline(.tcpAggregate, tcp.aggregate)
        }
        let streams = sizes.streamCount
        let streamSize = Bytes.text(max(sizes.streamBytes / 8, 64 << 10))
        let connects = max(sizes.connects / 4, 5)
        let size = Bytes.text(sizes.perfBytes / 4)
        for (name, _) in TransportBenchmarks.transports {
            guard let run = runs[name] else { continue }
            let isBaseline = name == "tcp"
            add("11", "\(name): connect p50 (\(connects) per run)", "ms", run.connectP50,
                vs: isBaseline ? nil : ("our TCP", .tcpConnect50), lowerIsBetter: true)
            add("11", "\(name): perf upload, \(size), 1 stream", "MB/s", run.upload, vs: isBaseline ? nil : ("our TCP", .tcpUpload))
            add("11", "\(name): perf download, \(size), 1 stream", "MB/s", run.download, vs: isBaseline ? nil : ("our TCP", .tcpDownload),
                targets: name == "quic" ? [.ratioAtLeast(0.5)] : [])
            add("11", "\(name): \(streams) streams × \(streamSize) at once, aggregate", "MB/s", run.aggregate,
                vs: isBaseline ? nil : ("our TCP", .tcpAggregate))
        }
    }

    /// Figure 10: peerscope → kubo against kubo → kubo, per security protocol.
    mutating func kubo(_ runs: KuboRuns) {
        for name in KuboBaselines.protocols {
            if let theirs = runs.kubo[name] {
                setBaseline(.kuboConnect50(name), theirs.p50)
                setBaseline(.kuboConnect99(name), theirs.p99)
                add("kubo", "kubo → kubo connect p50, \(KuboBaselines.stackLabel(name))", "ms", theirs.p50, lowerIsBetter: true)
                add("kubo", "kubo → kubo connect p99, \(KuboBaselines.stackLabel(name))", "ms", theirs.p99, lowerIsBetter: true)
            }
        }
        for name in KuboBaselines.protocols {
            guard let ours = runs.ours[name] else { continue }
            add("10", "peerscope → kubo connect p50, \(KuboBaselines.stackLabel(name))", "ms", ours.p50,
                vs: ("kubo → kubo", .kuboConnect50(name)), targets: [.ratioAtMost(0.8)], lowerIsBetter: true)
            add("10", "peerscope → kubo connect p99, \(KuboBaselines.stackLabel(name))", "ms", ours.p99,
                vs: ("kubo → kubo", .kuboConnect99(name)), lowerIsBetter: true)
        }
    }

    mutating func upgrades(_ runs: UpgradeRuns) {
        add("4", "inbound upgrades per second, \(Format.number(sizes.upgradeSeconds)) s, \(sizes.upgradeConcurrency) dial loops",
            "/s", runs.perSecond, vs: ("crypto ceiling, 2 cores", .handshakeSide), transform: { 1e6 / $0 },
            targets: [.atLeast(2000)])
        add("4", "listener CPU per inbound upgrade", "ms", runs.serverCPUMillisecondsPerUpgrade,
            vs: ("crypto, 1 side", .handshakeSide), transform: { $0 / 1000 }, lowerIsBetter: true)
        if runs.failedDials > 0 { note("Figure 4: \(runs.failedDials) dials failed over all runs.") }
    }

    mutating func ping(_ runs: RTTRuns) {
        add("5", "ping RTT p50 (\(sizes.pings) pings per run)", "µs", runs.p50,
            vs: ("raw TCP echo", .rawRTT50), targets: [.atMost(80)], lowerIsBetter: true)
        add("5", "ping RTT p50 (vs py-libp2p)", "µs", runs.p50, vs: ("py-libp2p", .pyPing50), lowerIsBetter: true)
        add("5", "ping RTT p99", "µs", runs.p99, vs: ("raw TCP echo", .rawRTT99), lowerIsBetter: true)
        add("5", "CPU per ping, both processes", "µs", runs.cpuPerPing, lowerIsBetter: true)
    }

    mutating func idleConnections(_ runs: [Double]) {
        add("6", "listener RSS per idle connection (\(sizes.idleConnections) held)", "KiB", runs,
            targets: [.atMost(24)], lowerIsBetter: true)
    }

    mutating func openStreams(_ runs: StreamRuns) {
        add("7", "listener RSS per open stream (\(sizes.openStreams) on 1 connection)", "KiB", runs.kibPerStream,
            targets: [.atMost(2)], lowerIsBetter: true)
        add("7", "stream open + close rate", "streams/s", runs.openClosePerSecond)
    }

    mutating func ui(_ runs: UIRuns) {
        let frame = "UI frame render, 120x36, \(runs.connections) live connections (median of \(UIBenchmarks.framesPerRun) frames per run)"
        add("8", frame, "ms", runs.frameMilliseconds, targets: [.atMost(5)], lowerIsBetter: true)
        add("8", "UI model: recorded node events replayed through update (\(runs.recordedEvents) per run)", "events/s",
            runs.eventsPerSecond)
        add("8", "Host.snapshot() with \(runs.connections) connections", "ms", runs.snapshotMilliseconds, lowerIsBetter: true)
        add("8", "UI model: applying that snapshot", "ms", runs.snapshotApplyMilliseconds, lowerIsBetter: true)
    }
}

enum Bytes {
    static func text(_ bytes: UInt64) -> String {
        if bytes >= 1 << 30, bytes % (1 << 30) == 0 { return "\(bytes >> 30) GiB" }
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) B"
    }
}
