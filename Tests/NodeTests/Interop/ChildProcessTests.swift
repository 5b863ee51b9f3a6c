import Foundation
import Testing

@Suite("ChildProcess")
struct ChildProcessTests {
    private static let shell = URL(fileURLWithPath: "/bin/sh")

    private func launchShell(_ script: String) async throws -> ChildProcess {
        let child = ChildProcess(executable: Self.shell, arguments: ["-c", script])
        try await child.launch()
        return child
    }

    @Test func collectsBothStreamsAndTheExitCode() async throws {
        let child = try await launchShell("printf 'first\\nsecond\\n'; printf 'oops' >&2; exit 3")
        let output = try #require(await child.wait(within: .seconds(10), until: \.isFinished))
        #expect(output.stdoutText == "first\nsecond\n")
        #expect(output.firstStdoutLine == "first")
        #expect(output.stderrText == "oops")
        #expect(output.exit == ChildExit(cause: .exitCode, value: 3))
        #expect(output.exit?.isCleanExit == false)
    }

    @Test func waitEndsAtItsDeadlineWhenNothingHappens() async throws {
        let child = try await launchShell("exec sleep 30")
        let clock = ContinuousClock()
        let started = clock.now
        let output = await child.wait(within: .milliseconds(200), until: \.isFinished)
        #expect(output == nil)
        #expect(clock.now - started < .seconds(5))
        #expect(await child.stop(grace: .seconds(5)) == ChildExit(cause: .signal, value: SIGTERM))
    }

    @Test func stopEscalatesToKillWhenTermIsIgnored() async throws {
        // An ignored signal stays ignored across exec, so sleep itself ignores SIGTERM.
        let child = try await launchShell("trap '' TERM; echo ready; exec sleep 30")
        _ = try #require(await child.wait(within: .seconds(10)) { $0.firstStdoutLine != nil })
        #expect(await child.stop(grace: .milliseconds(300)) == ChildExit(cause: .signal, value: SIGKILL))
    }

    @Test func cancellingTheWaitingTaskEndsTheWait() async throws {
        let child = try await launchShell("exec sleep 30")
        let waiting = Task { await child.wait(within: .seconds(60), until: \.isFinished) }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        #expect(await waiting.value == nil)
        await child.stop(grace: .seconds(5))
    }

    #if os(Linux)
    @Test func childStartsWithNoBlockedSignals() async throws {
        let child = try await launchShell("grep SigBlk /proc/self/status")
        let output = try #require(await child.wait(within: .seconds(10), until: \.isFinished))
        #expect(output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            == "SigBlk:\t0000000000000000")
    }
    #endif

    @Test func launchingAMissingExecutableThrows() async {
        let child = ChildProcess(executable: URL(fileURLWithPath: "/nonexistent/peer"), arguments: [])
        await #expect(throws: ChildProcessError.self) { try await child.launch() }
    }
}

