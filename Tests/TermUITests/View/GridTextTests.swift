import Testing

@testable import TermUI

@Suite struct GridTextTests {
    @Test func textIsWrittenAndReadBackAsLines() {
        var grid = Grid(width: 8, height: 2)
        let used = grid.put("hello", x: 1, y: 0)
        #expect(used == 5)
        #expect(grid.lines == [" hello  ", "        "])
        #expect(grid.text == " hello  \n        ")
    }

    @Test func textIsClippedAtTheRightEdgeWithAnEllipsis() {
        var grid = Grid(width: 6, height: 1)
        grid.put("connection", x: 0, y: 0)
        #expect(grid.lines == ["conne…"])
    }

    @Test func maxWidthLimitsTheTextBeforeTheEdge() {
        var grid = Grid(width: 12, height: 1)
        let used = grid.put("/ip4/192.168.1.9/tcp/4001", x: 1, y: 0, maxWidth: 8)
        #expect(used == 8)
        #expect(grid.lines == [" /ip4/19…   "])
    }

    @Test func textThatFitsExactlyIsNotTruncated() {
        var grid = Grid(width: 5, height: 1)
        grid.put("exact", x: 0, y: 0)
        #expect(grid.lines == ["exact"])
    }

    @Test func middleTruncationKeepsBothEnds() {
        var grid = Grid(width: 9, height: 1)
        grid.put("12D3KooWLx9qAbcdvF2e", x: 0, y: 0, truncation: .middle)
        #expect(grid.lines == ["12D3…vF2e"])
    }

    @Test func writesOutsideTheGridAreIgnored() {
        var grid = Grid(width: 4, height: 2)
        grid.put("abc", x: 0, y: 2)
        grid.put("abc", x: 0, y: -1)
        grid.put("abc", x: 4, y: 0)
        #expect(grid[10, 10] == .blank)
        grid[9, 0] = Cell("x")
        #expect(grid.lines == ["    ", "    "])
    }

    @Test func styleIsAppliedToEveryCellWritten() {
        var grid = Grid(width: 6, height: 1)
        grid.put("fail", x: 1, y: 0, style: CellStyle(.error))
        #expect(grid[0, 0].style == .plain)
        #expect((1...4).allSatisfy { grid[$0, 0].style == CellStyle(.error) })
        #expect(grid[5, 0].style == .plain)
    }

    @Test func symbolsWeUseAreOneColumnWide() {
        for symbol in ["─", "│", "┌", "┐", "└", "┘", "✓", "✗", "…", "▸", "·", "→", "←", "⏎"] {
            #expect(DisplayWidth.of(symbol) == 1, "\(symbol)")
        }
        var grid = Grid(width: 10, height: 1)
        grid.put("✓ ✗ … ▸ ·", x: 0, y: 0)
        #expect(grid.lines == ["✓ ✗ … ▸ · "])
    }

    @Test func wideCharactersTakeTwoColumns() {
        var grid = Grid(width: 6, height: 1)
        let used = grid.put("日本x", x: 0, y: 0)
        #expect(used == 5)
        #expect(grid[1, 0].isContinuation)
        #expect(grid.lines == ["日本x "])
    }

    @Test func aWideCharacterThatWouldStraddleTheLimitIsDroppedBeforeTheEllipsis() {
        var grid = Grid(width: 3, height: 1)
        grid.put("a日本", x: 0, y: 0)
        // Two columns remain before the ellipsis: 日 would need a third, so only "a" stays.
        #expect(grid.lines == ["a… "])
    }

    @Test func overwritingHalfOfAWideCharacterBlanksTheOtherHalf() {
        var grid = Grid(width: 4, height: 1)
        grid.put("日本", x: 0, y: 0)
        grid.put("x", x: 1, y: 0)
        #expect(grid.lines == [" x本"])
        #expect(!grid[1, 0].isContinuation)
        grid.put("y", x: 2, y: 0)
        #expect(grid.lines == [" xy "])
    }

    @Test func controlAndInvisibleCharactersFromThePeerAreNeutralised() {
        var grid = Grid(width: 12, height: 1)
        // ESC would start a terminal sequence; U+202E would reverse the text; U+200B is invisible.
        grid.put("a\u{1B}[2Jb\u{202E}c\u{200B}d\u{7F}", x: 0, y: 0)
        #expect(grid.lines == ["a?[2Jbcd?   "])
    }

    @Test func combiningMarksStayOnTheirBase() {
        var grid = Grid(width: 3, height: 1)
        let used = grid.put("e\u{301}x", x: 0, y: 0)
        #expect(used == 2)
        #expect(grid[0, 0].character == "e\u{301}")
    }

    @Test func alignmentInAField() {
        var grid = Grid(width: 10, height: 3)
        grid.put("ab", x: 1, y: 0, fieldWidth: 6, alignment: .left)
        grid.put("ab", x: 1, y: 1, fieldWidth: 6, alignment: .right)
        grid.put("ab", x: 1, y: 2, fieldWidth: 6, alignment: .center)
        #expect(grid.lines == [" ab       ", "     ab   ", "   ab     "])
    }

    @Test func rightAlignedTextThatIsTooLongIsTruncated() {
        var grid = Grid(width: 6, height: 1)
        grid.put("256KiB", x: 0, y: 0, fieldWidth: 4, alignment: .right)
        #expect(grid.lines == ["256…  "])
    }

    @Test func spansKeepTheirStylesAndTruncateTogether() {
        var grid = Grid(width: 12, height: 1)
        let used = grid.put(
            [
                Span("q", CellStyle(.hintKey)), Span(" quit  ", CellStyle(.hintText)), Span("tab", CellStyle(.hintKey)),
                Span(" pane"),
            ], x: 0, y: 0)
        #expect(used == 12)
        #expect(grid.lines == ["q quit  tab…"])
        #expect(grid[0, 0].style == CellStyle(.hintKey))
        #expect(grid[2, 0].style == CellStyle(.hintText))
        #expect(grid[8, 0].style == CellStyle(.hintKey))
        #expect(grid[11, 0].style == CellStyle(.hintKey))  // the ellipsis continues the text before it
    }

    @Test func fillCoversTheRectangleOnly() {
        var grid = Grid(width: 4, height: 3)
        grid.put("abcd", x: 0, y: 1)
        grid.fill(Rect(x: 1, y: 1, width: 2, height: 5), style: CellStyle(.header))
        #expect(grid.lines == ["    ", "a  d", "    "])
        #expect(grid[1, 1].style == CellStyle(.header))
        #expect(grid[3, 1].style == .plain)
    }
}
