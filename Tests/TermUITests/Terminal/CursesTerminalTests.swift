import Foundation
import Testing

/// End-to-end checks of `CursesTerminal` under a real terminal (tmux): drawing with colours and
/// UTF-8, key decoding through ncurses, resize, signals and restoring the terminal.
@Suite(.serialized, .enabled(if: TmuxSession.isAvailable || TmuxSession.isRequired, TmuxSession.skipReason))
struct CursesTerminalTests {
    /// This test bundle, started again to run only the probe.
    static var probeCommand: String {
        "\(CommandLine.arguments[0]) --testing-library swift-testing --filter \(CursesTerminalProbe.filter)"
    }

    func startProbe(
        width: Int = 80, height: Int = 24, locale: String = "C.UTF-8", environment: [String: String] = [:],
        before: String = "", after: String = ""
    ) throws -> TmuxSession {
        try #require(TmuxSession.isAvailable, "PEERSCOPE_REQUIRE_INTEROP=1 but tmux is not installed")
        var variables = environment
        variables[CursesTerminalProbe.enabledVariable] = "1"
        return try TmuxSession(
            command: before + Self.probeCommand + after, width: width, height: height, locale: locale,
            environment: variables)
    }

    @Test func drawsUnicodeBoxesInColourAndHidesNothing() async throws {
        let session = try startProbe()
        defer { session.kill() }
        // tmux may be captured mid-frame: wait until the last row and the glyph row are drawn too.
        let screen = try await session.waitFor(description: "a complete 80x24 frame", timeout: .seconds(30)) {
            Self.row(23, of: $0).hasPrefix("└") && $0.contains("size 80x24") && $0.contains("日本")
        }
        let lines = screen.components(separatedBy: "\n")
        #expect(lines[0].hasPrefix("┌─ probe ───"))
        #expect(lines[0].hasSuffix("┐"))
        #expect(lines[23].hasPrefix("└") && lines[23].hasSuffix("┘"))
        #expect(screen.contains("colors ansi8"))
        #expect(screen.contains("glyphs unicode"))
        // Wide characters keep the right border in its column.
        #expect(lines[5].hasPrefix("│ ✓ ✗ … ▸ · 日本 "))
        #expect(lines[5].hasSuffix("│"))
        let coloured = try session.capture(colors: true)
        // Focused border: bold cyan; the error line: red.
        #expect(coloured.contains("36m┌"))
        #expect(coloured.contains("31m✓"))
        try session.sendKeys("q")
        try await session.waitFor(text: "probe: quit")
    }

    @Test func keysArriveDecoded() async throws {
        let session = try startProbe()
        defer { session.kill() }
        try await session.waitFor(text: "size 80x24", timeout: .seconds(30))
        let keys: [(tmux: String, shown: String)] = [
            ("Up", "Up"), ("Down", "Down"), ("Left", "Left"), ("Right", "Right"), ("Home", "Home"), ("End", "End"),
            ("PPage", "PgUp"), ("NPage", "PgDn"), ("DC", "Del"), ("BSpace", "Backspace"), ("Tab", "Tab"),
            ("BTab", "S-Tab"), ("Enter", "Enter"), ("Escape", "Esc"), ("M-x", "M-x"), ("C-w", "C-w"),
            ("F5", "F5"), ("x", "x"), ("Space", "Space"),
        ]
        for key in keys {
            try session.sendKeys("z")
            try await session.waitFor(text: "key [z]")
            try session.sendKeys(key.tmux)
            try await session.waitFor(text: "key [\(key.shown)]")
        }
        try session.type("é")
        try await session.waitFor(text: "key [é]")
        try session.sendKeys("q")
        #expect(try await session.waitForExit() == 0)
    }

    @Test func resizeGivesTheNewSizeAndARepaint() async throws {
        let session = try startProbe()
        defer { session.kill() }
        try await session.waitFor(text: "size 80x24", timeout: .seconds(30))
        try session.resize(width: 50, height: 12)
        try await session.waitFor(text: "key [Resize]")
        let screen = try await session.waitFor(description: "a complete 50x12 frame") {
            $0.contains("size 50x12") && Self.row(11, of: $0).hasPrefix("└")
        }
        let lines = screen.components(separatedBy: "\n")
        #expect(lines[0].hasPrefix("┌─ probe") && lines[0].hasSuffix("┐") && lines[0].count == 50)
        #expect(lines[11].hasPrefix("└") && lines[11].count == 50)
        try session.sendKeys("q")
        try await session.waitFor(text: "probe: quit")
    }

    static func row(_ index: Int, of screen: String) -> String {
        let lines = screen.components(separatedBy: "\n")
        return lines.indices.contains(index) ? lines[index] : ""
    }

    /// Appended to the probe: one line with its exit status and the line-discipline flags that curses
    /// turns off while it runs, e.g. "probe exited 0, modes: icanon echo [end]".
    static let reportAfterProbe = """
        ; echo "probe exited $?, modes: $(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' ')[end]"
        """

    /// Waits for the probe to end and returns the report line and the whole screen.
    func report(of session: TmuxSession) async throws -> (line: String, screen: String) {
        let screen = try await session.waitFor(text: "[end]", timeout: .seconds(10))
        let line = screen.components(separatedBy: "\n").first { $0.hasPrefix("probe exited") } ?? ""
        return (line, screen)
    }

    @Test func aGridLargerThanTheScreenIsClippedNotWrapped() async throws {
        let session = try startProbe()
        defer { session.kill() }
        try await session.waitFor(text: "size 80x24", timeout: .seconds(30))
        try session.sendKeys("w")
        let screen = try await session.waitFor(description: "a complete clipped frame") {
            $0.contains("grid 90x27") && Self.row(23, of: $0).hasPrefix("│")
        }
        let lines = screen.components(separatedBy: "\n")
        #expect(lines[0].hasPrefix("┌─ probe") && !lines[0].hasSuffix("┐"))
        #expect(lines[1].hasPrefix("│ size 80x24 grid 90x27"))
        #expect(lines[2].hasPrefix("│ colors"))
        #expect(lines[23].hasPrefix("│"))
        // The tick on row 8 now runs past column 80, and every frame changes it. Nothing of it may
        // wrap onto row 9.
        let seen = Self.frameCount(screen)
        let later = try await session.waitFor(description: "three more frames") {
            Self.frameCount($0) >= seen + 3
        }.components(separatedBy: "\n")
        #expect(later[9].trimmingCharacters(in: .whitespaces) == "│")
        try session.sendKeys("w")
        let back = try await session.waitFor(text: "grid 80x24")
        #expect(back.components(separatedBy: "\n")[0].hasSuffix("┐"))
        try session.sendKeys("q")
        try await session.waitFor(text: "probe: quit")
    }

    /// The probe's "frames N" counter.
    static func frameCount(_ screen: String) -> Int {
        guard let range = screen.range(of: "frames ") else { return 0 }
        return Int(screen[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    @Test func ctrlCEndsTheLoopAndTheTerminalIsRestored() async throws {
        let session = try startProbe(after: Self.reportAfterProbe)
        defer { session.kill() }
        try await session.waitFor(text: "size 80x24", timeout: .seconds(30))
        try session.sendKeys("C-c")
        let (line, screen) = try await report(of: session)
        #expect(screen.contains("probe: terminated by signal 2"))
        #expect(line == "probe exited 0, modes: icanon echo [end]")
        // The alternate screen is gone: the probe's frame no longer shows.
        #expect(!screen.contains("┌─ probe"))
    }

    @Test func aUILoopThatIgnoresTheSignalIsEndedAfterTheGracePeriod() async throws {
        let session = try startProbe(
            environment: [CursesTerminalProbe.stubbornVariable: "1"], after: Self.reportAfterProbe)
        defer { session.kill() }
        try await session.waitFor(text: "size 80x24", timeout: .seconds(30))
        try session.sendKeys("C-c")
        try await session.waitFor(text: "key [signal 2]")
        let (line, screen) = try await report(of: session)
        #expect(line == "probe exited 130, modes: icanon echo [end]")
        #expect(!screen.contains("┌─ probe"))
    }

    @Test func aSecondSignalEndsTheProcessAtOnce() async throws {
        let session = try startProbe(
            environment: [CursesTerminalProbe.stubbornVariable: "1"], after: Self.reportAfterProbe)
        defer { session.kill() }
        try await session.waitFor(text: "size 80x24", timeout: .seconds(30))
        let started = ContinuousClock.now
        try session.sendKeys("C-c")
        try await session.waitFor(text: "key [signal 2]")
        try session.sendKeys("C-c")
        let (line, _) = try await report(of: session)
        // Well inside the two-second grace period that would otherwise end it.
        #expect(ContinuousClock.now - started < .milliseconds(1900))
        #expect(line == "probe exited 130, modes: icanon echo [end]")
    }

    @Test func noColorGivesMonochrome() async throws {
        let session = try startProbe(environment: ["NO_COLOR": "1"])
        defer { session.kill() }
        try await session.waitFor(text: "colors monochrome", timeout: .seconds(30))
        let coloured = try session.capture(colors: true)
        #expect(!coloured.contains("[31m") && !coloured.contains("[36m"))
        // Monochrome still marks the focused border, with bold.
        #expect(coloured.contains("\u{1B}[1m┌"))
        try session.sendKeys("q")
        try await session.waitFor(text: "probe: quit")
    }

    @Test func aNonUTF8LocaleFallsBackToASCII() async throws {
        let session = try startProbe(locale: "C")
        defer { session.kill() }
        let screen = try await session.waitFor(text: "glyphs ascii", timeout: .seconds(30))
        #expect(screen.contains("+- probe ---"))
        #expect(screen.contains("v x ... > | ?? "))
        try session.sendKeys("q")
        try await session.waitFor(text: "probe: quit")
    }

    @Test func anUnknownTerminalTypeIsAnErrorNotAnExit() async throws {
        let session = try startProbe(before: "TERM=peerscope-no-such-terminal ")
        defer { session.kill() }
        try await session.waitFor(text: "probe: error cannot drive terminal type", timeout: .seconds(30))
        #expect(try await session.waitForExit() == 0)
    }

    @Test func withoutATerminalItRefusesToStart() async throws {
        let session = try startProbe(after: " < /dev/null")
        defer { session.kill() }
        // The redirect applies to the probe command only: stdin is not a terminal there.
        try await session.waitFor(
            text: "probe: error standard input and output must be a terminal", timeout: .seconds(30))
    }
}
