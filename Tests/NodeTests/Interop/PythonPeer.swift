import Foundation

/// Launches `Tests/Interop/py_peer.py` (py-libp2p 0.8.1) as a listener or as a one-shot dialer.
/// Get one from `PythonInterop.peer()`.
struct PythonPeer: Sendable, Equatable {
    let interpreter: URL
    let script: URL

    /// Starts `py_peer.py listen` and returns once it printed its address.
    func listen(
        stack: PythonPeerStack = PythonPeerStack(),
        port: Int = 0,
        readyWithin: Duration = .seconds(20)
    ) async throws -> PythonListener {
        let arguments = [script.path, "listen"] + stack.arguments
            + ["--transport", stack.transport.rawValue, "--port", String(port), "--exit-with-parent"]
        let child = ChildProcess(executable: interpreter, arguments: arguments)
        try await child.launch()
        return try await PythonListener(awaitingAddressFrom: child, within: readyWithin)
    }

    /// Runs `py_peer.py dial ADDRESS SCENARIO` to completion and decodes its JSON line.
    /// `timeout` bounds the connection and the scenario inside py; the process as a whole
    /// gets `timeout` plus `startupAllowance` before it is killed.
    func dial<Report>(
        _ address: String,
        _ scenario: PythonDialScenario<Report>,
        stack: PythonPeerStack = PythonPeerStack(),
        timeout: Duration = .seconds(60),
        startupAllowance: Duration = .seconds(20)
    ) async throws -> PythonDialResult<Report> {
        let arguments = [script.path, "dial", address] + stack.arguments
            + ["--timeout", String(timeout.seconds)] + scenario.arguments
        let child = ChildProcess(executable: interpreter, arguments: arguments)
        try await child.launch()
        guard let output = await child.wait(within: timeout + startupAllowance, until: \.isFinished)
        else {
            await child.stop(grace: .seconds(2))
            throw PythonPeerError.dialDidNotFinish(
                within: timeout + startupAllowance, stderr: child.snapshot().stderrText)
        }
        guard let exit = output.exit, exit.isCleanExit else {
            throw PythonPeerError.dialFailed(
                exit: output.exit ?? ChildExit(cause: .exitCode, value: -1),
                stderr: output.stderrText)
        }
        return try PythonDialResult(stdout: output.stdoutText, stderr: output.stderrText)
    }
}

/// The identity and connection stack a py peer uses; each flag offers exactly one option.
struct PythonPeerStack: Sendable, Hashable {
    enum KeyType: String, Sendable, CaseIterable { case ed25519, secp256k1, rsa }
    enum Security: String, Sendable, CaseIterable { case noise, plaintext, tls }
    enum Muxer: String, Sendable, CaseIterable { case yamux, mplex }
    /// What a listener listens on (a dialer follows the address it is given).
    enum Transport: String, Sendable, CaseIterable { case tcp, ws, quic }

    var keyType: KeyType = .ed25519
    var security: Security = .noise
    var muxer: Muxer = .yamux
    var transport: Transport = .tcp
    /// Deterministic identity (ed25519 and secp256k1): key material is SHA-256 of the
    /// decimal seed.
    var seed: Int?

    var arguments: [String] {
        var arguments = [
            "--key-type", keyType.rawValue,
            "--security", security.rawValue,
            "--muxer", muxer.rawValue,
        ]
        if let seed { arguments += ["--seed", String(seed)] }
        return arguments
    }
}

/// A running `py_peer.py listen`. It is stopped by `stop()` or, failing that, when the last
/// reference goes away (SIGTERM, then SIGKILL after a grace period), and py also stops by
/// itself if the test process dies.
final class PythonListener: Sendable {
    /// `/ip4/127.0.0.1/tcp/PORT/p2p/ID`
    let multiaddr: String
    let peerID: String
    private let child: ChildProcess

    fileprivate init(awaitingAddressFrom child: ChildProcess, within timeout: Duration) async throws {
        self.child = child
        let ready = await child.wait(within: timeout) { $0.firstStdoutLine != nil || $0.exit != nil }
        guard let ready else {
            await child.stop(grace: .seconds(2))
            throw PythonPeerError.listenerNotReady(within: timeout, stderr: child.snapshot().stderrText)
        }
        guard let line = ready.firstStdoutLine else {
            // Let the pipes drain so the message carries py's whole complaint.
            let finished = await child.wait(within: .seconds(2), until: \.isFinished) ?? ready
            throw PythonPeerError.listenerExited(
                exit: ready.exit ?? ChildExit(cause: .exitCode, value: -1),
                stderr: finished.stderrText)
        }
        guard line.hasPrefix("/ip4/"), let range = line.range(of: "/p2p/", options: .backwards),
              !line[range.upperBound...].isEmpty
        else {
            await child.stop(grace: .seconds(2))
            throw PythonPeerError.malformedListenAddress(line)
        }
        multiaddr = line
        peerID = String(line[range.upperBound...])
    }

    deinit {
        child.stopInBackground(grace: .seconds(3))
    }

    var processIdentifier: Int32 { child.processIdentifier }

    /// What py wrote to stderr so far (its last 256 KiB).
    var stderr: String { child.snapshot().stderrText }

    /// SIGTERM, then SIGKILL after `grace`. A listener that exits by itself on SIGTERM
    /// reports `exit code 0`.
    @discardableResult
    func stop(grace: Duration = .seconds(3)) async -> ChildExit? {
        await child.stop(grace: grace)
    }
}

enum PythonPeerError: Error, CustomStringConvertible {
    case listenerNotReady(within: Duration, stderr: String)
    case listenerExited(exit: ChildExit, stderr: String)
    case malformedListenAddress(String)
    case dialFailed(exit: ChildExit, stderr: String)
    case dialDidNotFinish(within: Duration, stderr: String)
    case malformedReport(stdout: String, reason: String)

    var description: String {
        switch self {
        case .listenerNotReady(let timeout, let stderr):
            "py listener printed no address within \(timeout); stderr:\n\(stderr)"
        case .listenerExited(let exit, let stderr):
            "py listener ended (\(exit)) before printing its address; stderr:\n\(stderr)"
        case .malformedListenAddress(let line):
            "py listener's first line is not a /ip4/…/p2p/<id> address: \(line)"
        case .dialFailed(let exit, let stderr):
            "py dialer failed (\(exit)); stderr:\n\(stderr)"
        case .dialDidNotFinish(let timeout, let stderr):
            "py dialer did not finish within \(timeout) and was killed; stderr:\n\(stderr)"
        case .malformedReport(let stdout, let reason):
            "py dialer's report could not be read (\(reason)); stdout:\n\(stdout)"
        }
    }
}

extension Duration {
    /// Whole and fractional seconds, for command lines.
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
