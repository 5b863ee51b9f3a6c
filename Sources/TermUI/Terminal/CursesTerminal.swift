import CNcurses
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the terminal delivered while the UI waited.
public enum TerminalInput: Hashable, Sendable {
    case key(Key)
    /// SIGINT (Ctrl-C), SIGTERM or SIGHUP arrived: quit and call `restore()` promptly, or the
    /// process is ended for you after a grace period.
    case terminationRequested(signal: Int32)
}

public enum TerminalError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Standard input or output is not a terminal (piped, redirected, no TTY).
    case notATerminal
    /// ncurses found no terminfo entry for `TERM`.
    case unknownTerminal(term: String)
    /// Another `CursesTerminal` is still open.
    case alreadyOpen

    public var description: String {
        switch self {
        case .notATerminal: "standard input and output must be a terminal"
        case .unknownTerminal(let term):
            "cannot drive terminal type \"\(term)\" (no terminfo entry; try TERM=xterm-256color)"
        case .alreadyOpen: "a terminal session is already open"
        }
    }
}

/// The only code that talks to ncurses. It owns the curses session for its lifetime: starts it,
/// draws `Grid`s by sending only the cells that changed since the last frame, reads keys with a
/// timeout, follows resizes, and gives the terminal back on every exit path.
///
/// Not `Sendable`: ncurses is not thread-safe, so one thread (the UI loop's) uses it.
public final class CursesTerminal {
    public private(set) var size: TerminalSize
    public let glyphs: GlyphSet
    public let colorMode: ColorMode
    public var theme: Theme { colorMode.theme }

    private let screen: OpaquePointer
    private var previous: Grid?
    private var cursorVisible: Bool?
    private var decoder = KeyDecoder()
    private var pendingKeys: [Key] = []
    private var attributeCache: [CellStyle: (attributes: Int32, pair: Int16)] = [:]
    private var window: UnsafeMutablePointer<WINDOW> { ps_stdscr() }

    /// Takes over the terminal. `environment` decides `NO_COLOR` and `TERM`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws(TerminalError) {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw .notATerminal }
        guard !TerminalSession.shared.isActive else { throw .alreadyOpen }
        // UTF-8 output needs the locale set before ncurses starts.
        ps_setlocale_all()
        glyphs = GlyphSet.forCodeset(String(cString: ps_codeset()))
        // Signals are taken before newterm so ncurses installs no SIGINT/SIGTERM handlers of its own.
        TerminalSession.shared.activate { _ = endwin() }
        let term = environment["TERM"] ?? ""
        guard let screen = term.isEmpty ? nil : ps_newterm_stdio(term) else {
            TerminalSession.shared.restore()
            throw .unknownTerminal(term: term)
        }
        self.screen = screen
        _ = cbreak()
        _ = noecho()
        _ = nonl()
        _ = keypad(ps_stdscr(), true)
        // Escape alone must not wait a second for a sequence that never comes.
        _ = set_escdelay(25)
        // Colour is not even started under NO_COLOR: start_color alone would make the terminal's
        // default colours white on black.
        let hasColors = !ColorMode.noColorRequested(environment) && has_colors()
        var defaultColors = false
        if hasColors {
            _ = start_color()
            defaultColors = use_default_colors() == OK
        }
        colorMode = ColorMode.select(
            environment: environment, terminalHasColors: hasColors, colors: Int(ps_colors()),
            colorPairs: Int(ps_color_pairs()))
        size = TerminalSize(width: 0, height: 0)  // every property set: methods may run now
        if colorMode == .ansi8 { definePairs(defaultColors: defaultColors) }
        size = currentSize()
        setCursorVisible(false)
    }

    deinit {
        restore()
        delscreen(screen)
    }

    /// Gives the terminal back (`endwin`: modes, cursor, screen). Idempotent; also runs on exit
    /// and on termination signals.
    public func restore() {
        TerminalSession.shared.restore()
    }

    // MARK: - Drawing

    /// Draws one frame: only cells that differ from the previous frame are sent, then the screen is
    /// refreshed once. `cursor` shows the terminal cursor there (the command line); nil hides it.
    public func draw(_ grid: Grid, cursor: Point? = nil) {
        for run in grid.changes(from: previous) where run.row < size.height && run.column < size.width {
            let look = attributes(for: run.style)
            _ = ps_attr_set(window, look.attributes, look.pair)
            // A grid wider than the screen (drawn before a resize was seen) must not wrap.
            var text = wideCharacters(of: run.cells, columns: size.width - run.column)
            _ = mvwaddnwstr(window, Int32(run.row), Int32(run.column), &text, Int32(text.count))
        }
        previous = grid
        if let cursor, cursor.x >= 0, cursor.y >= 0, cursor.x < size.width, cursor.y < size.height {
            _ = wmove(window, Int32(cursor.y), Int32(cursor.x))
            setCursorVisible(true)
        } else {
            setCursorVisible(false)
        }
        _ = wrefresh(window)
    }

    /// Forgets what is on screen so the next `draw` repaints everything (Ctrl-L, after a resize).
    public func invalidate() {
        previous = nil
        _ = werase(window)
        _ = clearok(ps_curscr(), true)
    }

    /// The run as wide characters for `mvwaddnwstr`, at most `columns` wide.
    private func wideCharacters(of cells: [Cell], columns: Int) -> [wchar_t] {
        var result: [wchar_t] = []
        result.reserveCapacity(cells.count)
        var used = 0
        for cell in cells where !cell.isContinuation {
            let scalars = cell.character.unicodeScalars
            guard let base = scalars.first else { continue }
            let expected = DisplayWidth.of(cell.character)
            guard used + expected <= columns else { break }
            used += expected
            if base.isASCII {
                result.append(wchar_t(base.value))
                continue
            }
            // If the C library disagrees with the grid about the width, the rest of the row
            // would shift; draw a placeholder of the grid's width instead.
            if ps_wcwidth(Int32(bitPattern: base.value)) == expected {
                result.append(contentsOf: scalars.map { wchar_t(bitPattern: $0.value) })
            } else {
                result.append(wchar_t(UInt8(ascii: "?")))
                if expected == 2 { result.append(wchar_t(UInt8(ascii: " "))) }
            }
        }
        return result
    }

    private func definePairs(defaultColors: Bool) {
        func number(_ color: TerminalColor, fallback: TerminalColor) -> Int16 {
            let chosen = color == .terminalDefault && !defaultColors ? fallback : color
            return Int16(chosen.rawValue)
        }
        for role in StyleRole.allCases {
            let look = Theme.standard.appearance(for: role)
            guard look.usesColor else { continue }
            _ = init_pair(
                pairNumber(role), number(look.foreground, fallback: .white), number(look.background, fallback: .black))
        }
    }

    private func pairNumber(_ role: StyleRole) -> Int16 { Int16(role.rawValue) + 1 }

    private func attributes(for style: CellStyle) -> (attributes: Int32, pair: Int16) {
        if let cached = attributeCache[style] { return cached }
        let look = theme.appearance(of: style)
        var bits = ps_a_normal()
        if look.attributes.contains(.bold) { bits |= ps_a_bold() }
        if look.attributes.contains(.dim) { bits |= ps_a_dim() }
        if look.attributes.contains(.reverse) { bits |= ps_a_reverse() }
        if look.attributes.contains(.underline) { bits |= ps_a_underline() }
        let pair = colorMode == .ansi8 && look.usesColor ? pairNumber(style.role) : 0
        attributeCache[style] = (bits, pair)
        return (bits, pair)
    }

    private func setCursorVisible(_ visible: Bool) {
        guard cursorVisible != visible else { return }
        _ = curs_set(visible ? 1 : 0)
        cursorVisible = visible
    }

    private func currentSize() -> TerminalSize {
        var rows: Int32 = 0
        var columns: Int32 = 0
        ps_getmaxyx(window, &rows, &columns)
        return TerminalSize(width: Int(columns), height: Int(rows))
    }

    // MARK: - Input

    /// Waits up to `timeoutMilliseconds` for a key (0 polls). Returns nil when nothing arrived, so a
    /// UI loop can use the timeout as its tick. On `.resize` the new `size` is already set and
    /// the next `draw` repaints the whole screen.
    public func readInput(timeoutMilliseconds: Int) -> TerminalInput? {
        if let number = TerminalSession.shared.takePendingSignal() { return .terminationRequested(signal: number) }
        if pendingKeys.isEmpty { readKeys(timeoutMilliseconds: timeoutMilliseconds) }
        if let number = TerminalSession.shared.takePendingSignal() { return .terminationRequested(signal: number) }
        guard !pendingKeys.isEmpty else { return nil }
        let key = pendingKeys.removeFirst()
        if key == .resize {
            size = currentSize()
            invalidate()
        }
        return .key(key)
    }

    private func readKeys(timeoutMilliseconds: Int) {
        wtimeout(window, Int32(clamping: max(0, timeoutMilliseconds)))
        while true {
            var value: wint_t = 0
            let status = wget_wch(window, &value)
            if status == ERR {
                pendingKeys += decoder.flush()
                return
            }
            let raw: RawKeyInput =
                status == KEY_CODE_YES ? .keyCode(Int32(bitPattern: value)) : .character(UInt32(value))
            pendingKeys += decoder.feed(raw)
            guard decoder.isHoldingEscape else { return }
            // ncurses has already waited ESCDELAY; whatever is queued right behind the Escape was sent
            // with it (Alt+key), anything later is a separate key press.
            wtimeout(window, 0)
        }
    }
}
