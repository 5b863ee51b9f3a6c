import Foundation
import Testing

/// The real `peerscope` binary in a private tmux server: demo panes fill, a py-libp2p peer is dialed
/// and talked to over /echo/1.0.0, and a dial to a closed port shows its failed step.
@Suite(.serialized, .enabled(if: AppBinary.path != nil && (TmuxSession.isAvailable || TmuxSession.isRequired), AppBinary.skipReason))
struct AppEndToEndTests {
    @Test(.timeLimit(.minutes(1))) func demoFillsEveryPaneAndQuits() async throws {
        let binary = try #require(AppBinary.path)
        let session = try TmuxSession(command: "TERM=xterm-256color \(binary) --demo --ephemeral", width: 120, height: 36)
        defer { session.kill() }
        try await session.waitFor(description: "two demo peers open with agents", timeout: .seconds(20)) { screen in
            screen.components(separatedBy: "peerscope-dem").count >= 3 && screen.contains("open")
        }
        try await session.waitFor(text: "connection ready")
        try await session.waitFor(text: "/echo/1.0.0", timeout: .seconds(15))
        try await session.waitFor(text: "ping")
        try session.sendKeys("?")
        try await session.waitFor(text: "open PROTOCOL")
        try session.sendKeys("Escape")
        try await session.waitFor(text: "q quit")
        try session.resize(width: 80, height: 24)
        try await session.waitFor(text: "Yamux streams c")
        try session.resize(width: 30, height: 8)
        try await session.waitFor(text: "terminal too small")
        try session.sendKeys("q")
        #expect(try await session.waitForExit() == 0)
    }

    @Test(.timeLimit(.minutes(2))) func dialsPyLibp2pEchoesAndShowsAFailedDial() async throws {
        let binary = try #require(AppBinary.path)
        let python = try #require(PyPeer.interpreter, "no python with libp2p: set PEERSCOPE_PYTHON or create .venv")
        let peer = try PyPeer(interpreter: python)
        defer { peer.stop() }
        let address = try await peer.listenAddress()
        let session = try TmuxSession(command: "TERM=xterm-256color \(binary) --ephemeral", width: 120, height: 36)
        defer { session.kill() }
        try await session.waitFor(text: "listening on")
        try session.type(":dial \(address)")
        try session.sendKeys("Enter")
        try await session.waitFor(text: "connection ready", timeout: .seconds(20))
        try await session.waitFor(text: "mss security /noise")
        try await session.waitFor(text: "py-libp2p", timeout: .seconds(20))
        try session.type(":open /echo/1.0.0")
        try session.sendKeys("Enter")
        try await session.waitFor(text: "opened /echo/1.0.0")
        try session.type("hello from peerscope")
        try session.sendKeys("Enter")
        try await session.waitFor(text: "← hello from peerscope")
        try session.sendKeys("Escape")
        try await session.waitFor(text: "q quit")
        try session.type(":dial /ip4/127.0.0.1/tcp/1")
        try session.sendKeys("Enter")
        try await session.waitFor(text: "✗ failed")
        try await session.waitFor(text: "refused")
        try session.type(":frobnicate")
        try session.sendKeys("Enter")
        try await session.waitFor(text: "unknown command \"frobnicate\"")
        try session.sendKeys("q")
        #expect(try await session.waitForExit() == 0)
    }
}

enum AppBinary {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built `peerscope` next to the test bundle, if it has the UI as its default command.
    static let path: String? = {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            besideTests.appendingPathComponent("peerscope").path,
            besideTests.deletingLastPathComponent().appendingPathComponent("peerscope").path,
            packageRoot.appendingPathComponent(".build/debug/peerscope").path,
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        return helpMentionsDemo(found) ? found : nil
    }()

    static let skipReason: Comment = "needs tmux and a built peerscope whose default command is the UI (--demo)"

    private static func helpMentionsDemo(_ path: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["ui", "--help"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        guard (try? process.run()) != nil else { return false }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).contains("--demo")
    }
}

/// `Tests/Interop/py_peer.py listen` as a child process.
final class PyPeer: @unchecked Sendable {
    static var interpreter: String? {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["PEERSCOPE_PYTHON"], AppBinary.packageRoot.appendingPathComponent(".venv/bin/python").path].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private let process = Process()
    private let output = Pipe()
    private let lock = NSLock()
    private var received = ""

    init(interpreter: String) throws {
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = [AppBinary.packageRoot.appendingPathComponent("Tests/Interop/py_peer.py").path, "listen"]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.received += String(decoding: data, as: UTF8.self)
            self.lock.unlock()
        }
        try process.run()
    }

    /// The first stdout line, its full listen address.
    func listenAddress(timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = receivedSoFar()
            if let line = text.split(separator: "\n").first, text.contains("\n") { return String(line) }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PyPeerError.noAddress
    }

    private func receivedSoFar() -> String {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    func stop() {
        output.fileHandleForReading.readabilityHandler = nil
        if process.isRunning { process.terminate() }
    }

    enum PyPeerError: Error { case noAddress }
}
