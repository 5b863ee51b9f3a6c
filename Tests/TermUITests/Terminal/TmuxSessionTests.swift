import Foundation
import Testing

/// Proves the tmux harness itself with plain shell commands, before any UI runs in it.
@Suite(.serialized, .enabled(if: TmuxSession.isAvailable || TmuxSession.isRequired, TmuxSession.skipReason))
struct TmuxSessionTests {
    @Test func runsACommandAtAFixedSizeTypesAndReadsTheScreen() async throws {
        try #require(TmuxSession.isAvailable, "PEERSCOPE_REQUIRE_INTEROP=1 but tmux is not installed")
        let session = try TmuxSession(command: "printf 'ready ┌─ ✓\\n'; cat", width: 60, height: 10)
        defer { session.kill() }
        try await session.waitFor(text: "ready ┌─ ✓")
        let screen = try session.capture()
        #expect(screen.split(separator: "\n", omittingEmptySubsequences: false).prefix(10).count == 10)

        try session.type("hello tmux")
        try session.sendKeys("Enter")
        // The terminal echoes the line as typed, then cat prints it back: two lines.
        try await session.waitFor(description: "the line twice") { screen in
            screen.components(separatedBy: "\n").filter { $0 == "hello tmux" }.count == 2
        }
        try session.sendKeys("C-d")
        #expect(try await session.waitForExit() == 0)
    }

    @Test func paneHasExactlyTheRequestedSizeAndFollowsResize() async throws {
        try #require(TmuxSession.isAvailable, "PEERSCOPE_REQUIRE_INTEROP=1 but tmux is not installed")
        let session = try TmuxSession(command: "stty size; read line; stty size", width: 73, height: 17)
        defer { session.kill() }
        try await session.waitFor(text: "17 73")
        try session.resize(width: 41, height: 12)
        try session.sendKeys("Enter")
        try await session.waitFor(text: "12 41")
        #expect(try await session.waitForExit() == 0)
    }

    @Test func exitStatusIsReported() async throws {
        try #require(TmuxSession.isAvailable, "PEERSCOPE_REQUIRE_INTEROP=1 but tmux is not installed")
        let session = try TmuxSession(command: "exit 3", width: 40, height: 10)
        defer { session.kill() }
        #expect(try await session.waitForExit() == 3)
    }

    @Test func waitingForTextThatNeverAppearsTimesOutWithTheScreen() async throws {
        try #require(TmuxSession.isAvailable, "PEERSCOPE_REQUIRE_INTEROP=1 but tmux is not installed")
        let session = try TmuxSession(command: "echo something else; cat", width: 40, height: 10)
        defer { session.kill() }
        try await session.waitFor(text: "something else")
        let started = ContinuousClock.now
        do {
            try await session.waitFor(text: "never shown", timeout: .milliseconds(300))
            Issue.record("waitFor returned for text that is not on screen")
        } catch TmuxSession.Failure.timedOut(let text, let screen) {
            #expect(text == "never shown")
            #expect(screen.contains("something else"))
        }
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test func colouredCaptureKeepsTheEscapeSequences() async throws {
        try #require(TmuxSession.isAvailable, "PEERSCOPE_REQUIRE_INTEROP=1 but tmux is not installed")
        let session = try TmuxSession(command: "printf '\\033[31mred\\033[0m plain\\n'; cat", width: 40, height: 5)
        defer { session.kill() }
        try await session.waitFor(text: "red plain")
        let coloured = try session.capture(colors: true)
        #expect(coloured.contains("\u{1B}[31mred"))
        #expect(!(try session.capture()).contains("\u{1B}"))
    }

    @Test func killStopsThePrivateServer() async throws {
        try #require(TmuxSession.isAvailable, "PEERSCOPE_REQUIRE_INTEROP=1 but tmux is not installed")
        let session = try TmuxSession(command: "cat", width: 40, height: 5)
        #expect(session.isServerRunning)
        session.kill()
        #expect(!session.isServerRunning)
    }
}
