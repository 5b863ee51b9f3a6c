/// A single-line text editor as a value: the command line's text, cursor, history and Tab
/// completion, with readline's keys. Pure; the view draws `viewport(width:)` and places the cursor.
public struct LineEditor: Hashable, Sendable {
    public static let defaultHistoryLimit = 200

    public internal(set) var characters: [Character] = []
    /// Index into `characters`; the cursor sits before that character.
    public internal(set) var cursor = 0
    /// Submitted lines, oldest first, at most `historyLimit`.
    public private(set) var history: [String] = []
    public let historyLimit: Int

    var browsing: HistoryPosition?
    var completion: CompletionCycle?

    public init(historyLimit: Int = LineEditor.defaultHistoryLimit) {
        precondition(historyLimit >= 0, "history limit must not be negative")
        self.historyLimit = historyLimit
    }

    public var text: String { String(characters) }
    public var isEmpty: Bool { characters.isEmpty }

    /// Columns between the start of the line and the cursor.
    public var cursorColumn: Int { DisplayWidth.of(String(characters[..<cursor])) }

    /// Replaces the whole line (a prompt prefilled with `dial `), cursor at the end.
    public mutating func setText(_ text: String) {
        show(Array(text.filter(Self.isInsertable)))
        browsing = nil
    }

    // MARK: - Editing

    // Every edit below ends a completion cycle: the next Tab completes afresh.

    public mutating func insert(_ text: String) {
        completion = nil
        let inserted = text.filter(Self.isInsertable)
        characters.insert(contentsOf: inserted, at: cursor)
        cursor += inserted.count
    }

    public mutating func backspace() {
        completion = nil
        guard cursor > 0 else { return }
        characters.remove(at: cursor - 1)
        cursor -= 1
    }

    public mutating func deleteForward() {
        completion = nil
        guard cursor < characters.count else { return }
        characters.remove(at: cursor)
    }

    public mutating func moveLeft() { moveCursor(to: cursor - 1) }
    public mutating func moveRight() { moveCursor(to: cursor + 1) }
    public mutating func moveToStart() { moveCursor(to: 0) }
    public mutating func moveToEnd() { moveCursor(to: characters.count) }

    /// Ctrl-U: deletes everything before the cursor.
    public mutating func deleteToStart() {
        completion = nil
        characters.removeSubrange(0..<cursor)
        cursor = 0
    }

    /// Ctrl-K: deletes from the cursor to the end.
    public mutating func deleteToEnd() {
        completion = nil
        characters.removeSubrange(cursor...)
    }

    /// Ctrl-W: deletes the word before the cursor and the spaces between it and the cursor.
    public mutating func deleteWordBackward() {
        completion = nil
        var start = cursor
        while start > 0, characters[start - 1] == " " { start -= 1 }
        while start > 0, characters[start - 1] != " " { start -= 1 }
        characters.removeSubrange(start..<cursor)
        cursor = start
    }

    // MARK: - History

    /// Shows the previous (older) history entry; the line being typed is kept for `historyNext`.
    public mutating func historyPrevious() {
        guard !history.isEmpty else { return }
        let index: Int
        let draft: [Character]
        if let browsing {
            guard browsing.index > 0 else { return }
            index = browsing.index - 1
            draft = browsing.draft
        } else {
            index = history.count - 1
            draft = characters
        }
        show(Array(history[index]))
        browsing = HistoryPosition(index: index, draft: draft)
    }

    /// Shows the next (newer) entry, or the line that was being typed after the newest one.
    public mutating func historyNext() {
        guard let browsing else { return }
        if browsing.index + 1 < history.count {
            show(Array(history[browsing.index + 1]))
            self.browsing = HistoryPosition(index: browsing.index + 1, draft: browsing.draft)
        } else {
            show(browsing.draft)
            self.browsing = nil
        }
    }

    /// Ends the line: returns its text, records it in history (unless blank or the same as the
    /// newest entry) and starts an empty line.
    public mutating func submit() -> String {
        let line = text
        if !line.allSatisfy(\.isWhitespace), history.last != line, historyLimit > 0 {
            history.append(line)
            if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
        }
        clear()
        return line
    }

    /// Empties the line and leaves history browsing; history itself stays.
    public mutating func clear() {
        characters = []
        cursor = 0
        browsing = nil
        completion = nil
    }

    // MARK: - Display

    /// The part of the line to draw in `width` columns, scrolled so the cursor (which needs a
    /// column of its own at the end) stays visible, and the cursor's column within it.
    public func viewport(width: Int) -> (text: String, cursorColumn: Int) {
        guard width > 0 else { return ("", 0) }
        var start = 0
        while start < cursor, DisplayWidth.of(String(characters[start..<cursor])) > width - 1 { start += 1 }
        var shown = ""
        var used = 0
        for character in characters[start...] {
            let columns = DisplayWidth.of(character)
            guard used + columns <= width else { break }
            shown.append(character)
            used += columns
        }
        return (shown, DisplayWidth.of(String(characters[start..<cursor])))
    }

    // MARK: - Internals

    private mutating func moveCursor(to index: Int) {
        completion = nil
        cursor = min(characters.count, max(0, index))
    }

    private mutating func show(_ line: [Character]) {
        characters = line
        cursor = line.count
        completion = nil
    }

    static func isInsertable(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        return !DisplayWidth.isControl(scalar)
    }
}

/// While browsing history: the entry shown, and the line that was being typed before browsing began.
struct HistoryPosition: Hashable, Sendable {
    var index: Int
    var draft: [Character]
}
