import Foundation
import Testing

@testable import TermUI

/// The program `CursesTerminalTests` runs inside tmux: this test bundle started again with a filter
/// for this one function and PEERSCOPE_CURSES_PROBE=1. It drives a real `CursesTerminal` (there is
/// no demo executable in the package) and shows what it sees, so the outer test can read it.
/// In an ordinary test run it is disabled and does nothing.
@Suite struct CursesTerminalProbe {
    static let enabledVariable = "PEERSCOPE_CURSES_PROBE"
    static let filter = "cursesTerminalProbeProcess"
    /// Makes the probe ignore termination requests, to test the forced restore.
    static let stubbornVariable = "PEERSCOPE_CURSES_PROBE_STUBBORN"

    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment[enabledVariable] == "1",
            "runs only inside tmux, started by CursesTerminalTests"))
    func cursesTerminalProbeProcess() {
        let terminal: CursesTerminal
        do {
            terminal = try CursesTerminal()
        } catch {
            print("probe: error \(error)")
            return
        }
        let stubborn = ProcessInfo.processInfo.environment[Self.stubbornVariable] == "1"
        var lastKey = "none"
        var frames = 0
        var oversize = false
        while true {
            frames += 1
            // "w" toggles drawing a grid larger than the screen, as happens before a resize is seen.
            let size =
                oversize
                ? TerminalSize(width: terminal.size.width + 10, height: terminal.size.height + 3) : terminal.size
            let frame = Self.frame(size: size, terminal: terminal, lastKey: lastKey, frames: frames)
            terminal.draw(frame, cursor: Point(x: 3, y: 6))
            guard let input = terminal.readInput(timeoutMilliseconds: 100) else { continue }
            switch input {
            case .key(.char("w")):
                oversize.toggle()
                lastKey = "w"
            case .key(.char("q")):
                terminal.restore()
                print("probe: quit")
                return
            case .key(let key):
                lastKey = key.description
            case .terminationRequested(let signal) where stubborn:
                lastKey = "signal \(signal)"
            case .terminationRequested(let signal):
                terminal.restore()
                print("probe: terminated by signal \(signal)")
                return
            }
        }
    }

    static func frame(size: TerminalSize, terminal: CursesTerminal, lastKey: String, frames: Int) -> Grid {
        var grid = Grid(size: size, glyphs: terminal.glyphs)
        let glyphs = terminal.glyphs
        let inner = grid.box(grid.bounds, title: "probe", focused: true)
        let lines: [(String, StyleRole)] = [
            ("size \(terminal.size) grid \(size)", .plain),
            ("colors \(terminal.colorMode == .ansi8 ? "ansi8" : "monochrome")", .plain),
            ("glyphs \(glyphs.asciiOnly ? "ascii" : "unicode")", .plain),
            ("key [\(lastKey)]", .ok),
            ("\(glyphs.ok) \(glyphs.failed) \(glyphs.ellipsis) \(glyphs.pointer) \(glyphs.dot) 日本", .error),
        ]
        for (index, line) in lines.enumerated() {
            grid.put(line.0, x: inner.x + 1, y: inner.y + index, style: CellStyle(line.1), maxWidth: inner.width - 1)
        }
        grid.put("frames \(frames)", x: inner.x + 1, y: inner.y + lines.count + 1, style: CellStyle(.muted))
        // Changes every frame near the grid's right edge: across the screen's edge when the grid is too
        // large, where a run that wrapped would land at the start of the next, unchanged, row.
        let tick = String(repeating: "\(frames % 10)", count: 8)
        grid.put(tick, x: inner.maxX - 12, y: inner.y + lines.count + 2, style: CellStyle(.muted))
        return grid
    }
}
