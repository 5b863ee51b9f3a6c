import Testing

@testable import TermUI

@Suite struct LineEditorTests {
    func editor(_ text: String, cursor: Int? = nil) -> LineEditor {
        var editor = LineEditor()
        editor.insert(text)
        if let cursor {
            editor.moveToStart()
            for _ in 0..<cursor { editor.moveRight() }
        }
        return editor
    }

    @Test func insertAtTheCursor() {
        var line = editor("dial", cursor: 0)
        line.insert(":")
        #expect(line.text == ":dial" && line.cursor == 1)
        line.moveToEnd()
        line.insert(" /ip4")
        #expect(line.text == ":dial /ip4" && line.cursor == 10)
    }

    @Test func controlCharactersAreNotInserted() {
        var line = LineEditor()
        line.insert("a\u{1B}b\tc\n")
        #expect(line.text == "abc")
    }

    @Test func backspaceAndDelete() {
        var line = editor("abcd", cursor: 2)
        line.backspace()
        #expect(line.text == "acd" && line.cursor == 1)
        line.deleteForward()
        #expect(line.text == "ad" && line.cursor == 1)
        line.moveToStart()
        line.backspace()
        #expect(line.text == "ad" && line.cursor == 0)
        line.moveToEnd()
        line.deleteForward()
        #expect(line.text == "ad" && line.cursor == 2)
    }

    @Test func cursorMovementStopsAtTheEnds() {
        var line = editor("ab")
        line.moveRight()
        #expect(line.cursor == 2)
        line.moveLeft()
        line.moveLeft()
        line.moveLeft()
        #expect(line.cursor == 0)
        line.moveToEnd()
        #expect(line.cursor == 2)
        line.moveToStart()
        #expect(line.cursor == 0)
    }

    @Test func killKeys() {
        var line = editor("close 3 now", cursor: 7)
        line.deleteToEnd()
        #expect(line.text == "close 3" && line.cursor == 7)
        line.deleteWordBackward()
        #expect(line.text == "close " && line.cursor == 6)
        line.deleteWordBackward()
        #expect(line.text == "" && line.cursor == 0)
        var other = editor("ping 2", cursor: 5)
        other.deleteToStart()
        #expect(other.text == "2" && other.cursor == 0)
    }

    @Test func readlineKeysThroughHandle() {
        var line = LineEditor()
        for key: Key in [.char("a"), .char("b"), .char("c"), .ctrl("a"), .char("x"), .ctrl("e"), .char("y")] {
            #expect(line.handle(key) == .handled)
        }
        #expect(line.text == "xabcy")
        #expect(line.handle(.ctrl("w")) == .handled)
        #expect(line.text == "")
        line.insert("one two")
        _ = line.handle(.left)
        _ = line.handle(.ctrl("k"))
        #expect(line.text == "one tw")
        _ = line.handle(.ctrl("u"))
        #expect(line.text == "")
        #expect(line.handle(.pageDown) == .ignored)
        #expect(line.handle(.escape) == .cancelled)
    }

    @Test func enterSubmitsRecordsHistoryAndClears() {
        var line = editor("dial /ip4/127.0.0.1/tcp/4001")
        #expect(line.handle(.enter) == .submitted("dial /ip4/127.0.0.1/tcp/4001"))
        #expect(line.isEmpty && line.cursor == 0)
        #expect(line.history == ["dial /ip4/127.0.0.1/tcp/4001"])
    }

    @Test func blankAndRepeatedLinesAreNotAddedToHistory() {
        var line = LineEditor()
        for text in ["ping 1", "ping 1", "   ", "", "ping 2", "ping 1"] {
            line.insert(text)
            _ = line.submit()
        }
        #expect(line.history == ["ping 1", "ping 2", "ping 1"])
    }

    @Test func historyIsBounded() {
        var line = LineEditor(historyLimit: 3)
        for n in 1...5 {
            line.insert("cmd \(n)")
            _ = line.submit()
        }
        #expect(line.history == ["cmd 3", "cmd 4", "cmd 5"])
        #expect(LineEditor().historyLimit == 200)
    }

    @Test func historyUpAndDownKeepsTheLineBeingTyped() {
        var line = LineEditor()
        for text in ["first", "second"] {
            line.insert(text)
            _ = line.submit()
        }
        line.insert("draft")
        _ = line.handle(.up)
        #expect(line.text == "second" && line.cursor == 6)
        _ = line.handle(.up)
        #expect(line.text == "first")
        _ = line.handle(.up)
        #expect(line.text == "first")
        _ = line.handle(.down)
        #expect(line.text == "second")
        _ = line.handle(.down)
        #expect(line.text == "draft" && line.cursor == 5)
        _ = line.handle(.down)
        #expect(line.text == "draft")
    }

    @Test func historyOnAnEmptyHistoryDoesNothing() {
        var line = editor("x")
        line.historyPrevious()
        line.historyNext()
        #expect(line.text == "x")
    }

    // MARK: - Completion

    let commands = ["close", "connect", "dial", "listen", "open", "ping"]

    func complete(_ line: inout LineEditor) -> Bool {
        line.complete { request in request.lineBeforeWord.isEmpty ? commands : [] }
    }

    @Test func aSingleMatchCompletesTheWord() {
        var line = editor("di")
        #expect(complete(&line))
        #expect(line.text == "dial" && line.cursor == 4)
    }

    @Test func matchesWithNothingMoreInCommonCycleAtOnce() {
        var longer = editor("co")
        #expect(complete(&longer))
        #expect(longer.text == "connect")  // only one match
        // "close" and "connect" share nothing beyond the "c" already typed.
        var cycling = editor("c")
        #expect(complete(&cycling))
        #expect(cycling.text == "close" && cycling.cursor == 5)
        _ = complete(&cycling)
        #expect(cycling.text == "connect")
        _ = complete(&cycling)
        #expect(cycling.text == "close")
    }

    @Test func commonPrefixFirstThenCycling() {
        var line = editor("p")
        let candidates = ["ping", "pingall", "pinned"]
        line.complete { _ in candidates }
        #expect(line.text == "pin")
        line.complete { _ in candidates }
        #expect(line.text == "ping")
        line.complete { _ in candidates }
        #expect(line.text == "pingall")
        line.complete { _ in candidates }
        #expect(line.text == "pinned")
        line.complete { _ in candidates }
        #expect(line.text == "ping")
    }

    @Test func anEditEndsTheCycle() {
        var line = editor("c")
        _ = complete(&line)
        #expect(line.text == "close")
        line.backspace()
        #expect(line.text == "clos")
        _ = complete(&line)
        #expect(line.text == "close")
    }

    @Test func completionWorksOnTheWordBeforeTheCursorOnly() {
        var line = editor("ping 1 now", cursor: 6)
        var asked: CompletionRequest?
        line.complete { request in
            asked = request
            return ["12", "13"]
        }
        #expect(asked == CompletionRequest(lineBeforeWord: "ping ", word: "1"))
        #expect(line.text == "ping 12 now")
        #expect(line.cursor == 7)
    }

    @Test func noMatchChangesNothing() {
        var line = editor("zz")
        #expect(!complete(&line))
        #expect(line.text == "zz")
        var empty = editor("dial ")
        #expect(!complete(&empty))
    }

    @Test func tabKeyCompletes() {
        var line = editor("li")
        #expect(line.handle(.tab) { _ in commands } == .handled)
        #expect(line.text == "listen")
    }

    // MARK: - Display

    @Test func viewportScrollsToKeepTheCursorVisible() {
        let line = editor("dial /ip4/10.0.0.7/tcp/4001")
        let view = line.viewport(width: 10)
        #expect(view.text == "/tcp/4001")
        #expect(view.cursorColumn == 9)
        let start = editor("dial /ip4/10.0.0.7/tcp/4001", cursor: 0).viewport(width: 10)
        #expect(start.text == "dial /ip4/")
        #expect(start.cursorColumn == 0)
        let short = editor("ab").viewport(width: 10)
        #expect(short.text == "ab" && short.cursorColumn == 2)
    }

    @Test func cursorColumnCountsDisplayWidth() {
        let line = editor("日本x", cursor: 2)
        #expect(line.cursorColumn == 4)
    }
}
