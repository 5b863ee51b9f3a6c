/// Turns the measured runs into table rows, each next to its baseline from the same run.
struct ResultRows {
    let sizes: BenchSizes
    private(set) var rows: [ResultRow] = []
    private(set) var notes: [String] = []

    // Baseline medians, filled as the baselines are measured.
    private var chachaCore: Double?
    /// Microseconds of one side's handshake crypto.
    private var handshakeCryptoSide: Double?
    private var rawUpload: Double?
    private var rawDownload: Double?
    private var rawCPU: Double?
    private var rawRTT50: Double?
    private var rawRTT99: Double?
    private var py: PythonRuns?

    init(sizes: BenchSizes) {
        self.sizes = sizes
    }

    mutating func fail(_ figure: String, _ what: String, _ error: any Error) {
        fail(figure, what, reason: "\(error)")
    }

    mutating func fail(_ figure: String, _ what: String, reason: String) {
        rows.append(.failed(figure, what, reason))
    }

    mutating func note(_ text: String) { notes.append(text) }

    private mutating func add(
        _ figure: String, _ what: String, _ unit: String, _ runs: [Double],
        vs baseline: (String, Double?)? = nil, targets: [Target] = [], lowerIsBetter: Bool = false
    ) {
        var row = ResultRow(figure: figure, what: what, unit: unit, runs: runs, targets: targets, lowerIsBetter: lowerIsBetter)
        if let baseline, let value = baseline.1 { row.baseline = BaselineRef(name: baseline.0, value: value) }
        rows.append(row)
    }

    private func median(_ runs: [Double]) -> Double? { runs.isEmpty ? nil : Summary(runs).median }

    // MARK: - Baselines

    mutating func chacha(_ runs: ChaChaRuns) {
        add("B", "ChaChaPoly seal, 65519-byte frames, 1 core", "MB/s", runs.seal)
        add("B", "ChaChaPoly open, 65519-byte frames, 1 core", "MB/s", runs.open)
        add("B", "ChaChaPoly seal + open on the same core", "MB/s", runs.sealAndOpen)
        if let seal = median(runs.seal), let open = median(runs.open) { chachaCore = min(seal, open) }
    }

    mutating func handshakeCrypto(_ runs: [Double]) {
        add("B", "Noise XX crypto, one side: X25519 key pair + 3 DH + Ed25519 sign + verify, 1 core", "µs", runs,
            lowerIsBetter: true)
        handshakeCryptoSide = median(runs)
    }

    mutating func rawTCP(_ runs: TransferRuns) {
        let size = Bytes.text(sizes.perfBytes)
        add("B", "raw TCP upload, \(size), 1 connection", "MB/s", runs.upload)
        add("B", "raw TCP download, \(size)", "MB/s", runs.download)
        add("B", "raw TCP CPU, both processes", "s/GB", runs.cpuPerGB, lowerIsBetter: true)
        rawUpload = median(runs.upload)
        rawDownload = median(runs.download)
        rawCPU = median(runs.cpuPerGB)
    }

    mutating func rawPing(_ runs: RTTRuns) {
        add("B", "raw TCP 32-byte echo RTT p50 (NIOAsyncChannel)", "µs", runs.p50, lowerIsBetter: true)
        add("B", "raw TCP 32-byte echo RTT p99", "µs", runs.p99, lowerIsBetter: true)
        rawRTT50 = median(runs.p50)
        rawRTT99 = median(runs.p99)
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
        py = runs
    }

    // MARK: - Figures

    mutating func perf(_ runs: TransferRuns) {
        let size = Bytes.text(sizes.perfBytes)
        let pyTransfer = py?.transfer
        add("1", "perf upload, \(size), 1 stream", "MB/s", runs.upload,
            vs: ("ChaChaPoly 1 core", chachaCore), targets: [.atLeast(1000), .ratioAtLeast(0.7)])
        add("1", "perf upload (vs raw TCP)", "MB/s", runs.upload, vs: ("raw TCP", rawUpload))
        add("1", "perf upload (vs py-libp2p)", "MB/s", runs.upload,
            vs: ("py-libp2p", pyTransfer.flatMap { median($0.upload) }), targets: [.ratioAtLeast(6)])
        add("1", "perf download, \(size), 1 stream", "MB/s", runs.download,
            vs: ("ChaChaPoly 1 core", chachaCore), targets: [.atLeast(1000), .ratioAtLeast(0.7)])
        add("1", "perf download (vs raw TCP)", "MB/s", runs.download, vs: ("raw TCP", rawDownload))
        add("1", "perf download (vs py-libp2p)", "MB/s", runs.download,
            vs: ("py-libp2p", pyTransfer.flatMap { median($0.download) }), targets: [.ratioAtLeast(6)])
        add("1", "perf CPU, both processes (vs raw TCP)", "s/GB", runs.cpuPerGB, vs: ("raw TCP", rawCPU), lowerIsBetter: true)
        add("1", "perf CPU, both processes (vs py-libp2p)", "s/GB", runs.cpuPerGB,
            vs: ("py-libp2p", pyTransfer.flatMap { median($0.cpuPerGB) }), lowerIsBetter: true)
        if let client = median(runs.clientCPUPerGB), let server = median(runs.serverCPUPerGB) {
            note("Figure 1 CPU split (medians): dialer \(Format.number(client)) s/GB, listener \(Format.number(server)) s/GB.")
        }
    }

    mutating func streams(_ runs: [Double]) {
        add("2", "\(sizes.streamCount) streams × \(Bytes.text(sizes.streamBytes)) on 1 connection, aggregate", "MB/s", runs,
            vs: ("py-libp2p \(sizes.pyStreamCount) × \(Bytes.text(sizes.pyStreamBytes))", py.flatMap { median($0.streams) }))
    }

    mutating func connect(_ runs: ConnectRuns) {
        let connect = py?.connect
        add("3", "connect p50 (\(sizes.connects) fresh connections per run)", "ms", runs.connectP50,
            vs: ("py-libp2p", connect.flatMap { median($0.connectP50) }), targets: [.atMost(0.6)], lowerIsBetter: true)
        add("3", "connect p50 (vs handshake crypto of both sides)", "ms", runs.connectP50,
            vs: ("crypto, 2 sides", handshakeCryptoSide.map { 2 * $0 / 1000 }), lowerIsBetter: true)
        add("3", "connect p99", "ms", runs.connectP99,
            vs: ("py-libp2p", connect.flatMap { median($0.connectP99) }), lowerIsBetter: true)
        add("3", "connect + first ping p50", "ms", runs.connectPingP50,
            vs: ("py-libp2p", connect.flatMap { median($0.connectPingP50) }), targets: [.atMost(1)], lowerIsBetter: true)
        add("3", "connect + first ping p99", "ms", runs.connectPingP99,
            vs: ("py-libp2p", connect.flatMap { median($0.connectPingP99) }), lowerIsBetter: true)
    }

    mutating func upgrades(_ runs: UpgradeRuns) {
        add("4", "inbound upgrades per second, \(Format.number(sizes.upgradeSeconds)) s, \(sizes.upgradeConcurrency) dial loops",
            "/s", runs.perSecond, vs: ("crypto ceiling, 2 cores", handshakeCryptoSide.map { 1e6 / $0 }),
            targets: [.atLeast(2000)])
        add("4", "listener CPU per inbound upgrade", "ms", runs.serverCPUMillisecondsPerUpgrade, lowerIsBetter: true)
        if runs.failedDials > 0 { note("Figure 4: \(runs.failedDials) dials failed over all runs.") }
    }

    mutating func ping(_ runs: RTTRuns) {
        add("5", "ping RTT p50 (\(sizes.pings) pings per run)", "µs", runs.p50,
            vs: ("raw TCP echo", rawRTT50), targets: [.atMost(80)], lowerIsBetter: true)
        add("5", "ping RTT p50 (vs py-libp2p)", "µs", runs.p50,
            vs: ("py-libp2p", py.flatMap { median($0.ping.p50) }), lowerIsBetter: true)
        add("5", "ping RTT p99", "µs", runs.p99, vs: ("raw TCP echo", rawRTT99), lowerIsBetter: true)
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

    mutating func uiNotMeasured() {
        rows.append(.failed("8", "UI frame render time, UI model events per second",
                            "the UI does not exist yet (TermUI has no frame renderer to time)"))
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
