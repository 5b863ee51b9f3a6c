import Foundation
import Testing

@Suite("Python peer harness")
struct PythonPeerHarnessTests {
    private var packageRoot: URL {
        get throws { try #require(PythonInterop.packageRoot()) }
    }

    @Test func packageRootHoldsTheManifestAndThePeerScript() throws {
        let root = try packageRoot
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(PythonInterop.scriptPath).path))
    }

    @Test func configuredInterpreterIsUsedWithTheScriptFromThePackage() throws {
        let root = try packageRoot
        let located = PythonInterop.locate(
            environment: [PythonInterop.interpreterVariable: "/bin/sh"], packageRoot: root)
        let peer = try located.get()
        #expect(peer.interpreter.path == "/bin/sh")
        #expect(peer.script.path == root.appendingPathComponent(PythonInterop.scriptPath).path)
    }

    @Test func missingInterpreterIsReportedWithItsPathAndTheFix() throws {
        let located = PythonInterop.locate(
            environment: [PythonInterop.interpreterVariable: "/nonexistent/bin/python"],
            packageRoot: try packageRoot)
        guard case .failure(let unavailable) = located else {
            Issue.record("a missing interpreter was accepted: \(located)")
            return
        }
        #expect(unavailable.reason.contains("/nonexistent/bin/python"))
        #expect(unavailable.description.contains("make test"))
    }

    @Test func withoutConfigurationTheVenvInTheRootIsTried() throws {
        let root = try packageRoot
        let located = PythonInterop.locate(environment: [:], packageRoot: root)
        let venv = root.appendingPathComponent(PythonInterop.venvInterpreterPath).path
        switch located {
        case .success(let peer): #expect(peer.interpreter.path == venv)
        case .failure(let unavailable): #expect(unavailable.reason.contains(venv))
        }
    }

    @Test(.pythonInterop, .timeLimit(.minutes(1)))
    func pyListenerEchoesForPyDialer() async throws {
        let python = try PythonInterop.peer()
        let listener = try await python.listen()
        #expect(listener.multiaddr.hasPrefix("/ip4/127.0.0.1/tcp/"))
        #expect(listener.multiaddr.hasSuffix("/p2p/\(listener.peerID)"))

        let result = try await python.dial(listener.multiaddr, .echo(streams: 2, bytes: 64 << 10))
        #expect(result.connection.ok)
        #expect(result.connection.remotePeerID == listener.peerID)
        #expect(result.connection.security == "noise")
        #expect(result.connection.muxer == "yamux")
        #expect(result.report.streams == 2)
        #expect(result.report.totalBytes == 2 * (64 << 10))
        #expect(result.report.perStream.map(\.index) == [0, 1])
        #expect(result.report.perStream.allSatisfy { $0.bytes == 64 << 10 && $0.sha256.count == 64 })
        // Different seeds, so the two streams really carried different data.
        #expect(Set(result.report.perStream.map(\.sha256)).count == 2)

        #expect(await listener.stop() == ChildExit(cause: .exitCode, value: 0))
    }

    @Test(.pythonInterop, .timeLimit(.minutes(1)))
    func droppedListenerIsStopped() async throws {
        let python = try PythonInterop.peer()
        // The listener's only reference ends with this closure.
        let pid = try await { try await python.listen().processIdentifier }()

        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(15)
        while kill(pid, 0) == 0, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(kill(pid, 0) == -1, "py listener \(pid) still runs after its last reference went away")
    }

    @Test(.pythonInterop, .timeLimit(.minutes(1)))
    func failedDialCarriesPysReason() async throws {
        let python = try PythonInterop.peer()
        let listener = try await python.listen()
        let address = listener.multiaddr
        await listener.stop()

        do {
            let result = try await python.dial(address, .ping(count: 1), timeout: .seconds(10))
            Issue.record("dial to a stopped listener succeeded: \(result.line)")
        } catch PythonPeerError.dialFailed(let exit, let stderr) {
            #expect(exit == ChildExit(cause: .exitCode, value: 1))
            #expect(stderr.contains("connect to \(address) failed"))
        }
    }

    @Test(.pythonInterop, .timeLimit(.minutes(1)))
    func listenerThatCannotStartReportsWhy() async throws {
        let python = try PythonInterop.peer()
        do {
            let listener = try await python.listen(port: 70_000)
            Issue.record("py listened on port 70000: \(listener.multiaddr)")
        } catch PythonPeerError.listenerExited(let exit, let stderr) {
            #expect(exit == ChildExit(cause: .exitCode, value: 2))
            #expect(stderr.contains("--port"))
        }
    }
}
