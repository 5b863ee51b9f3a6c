import Testing

@testable import TermUI

@Suite struct GridBoxTests {
    @Test func boxWithTitle() {
        var grid = Grid(width: 14, height: 3)
        let inner = grid.box(grid.bounds, title: "Events")
        #expect(
            grid.lines == [
                "┌─ Events ───┐",
                "│            │",
                "└────────────┘",
            ])
        #expect(inner == Rect(x: 1, y: 1, width: 12, height: 1))
    }

    @Test func focusedBoxUsesTheHighlightedBorderAndTitle() {
        var grid = Grid(width: 12, height: 3)
        grid.box(grid.bounds, title: "Conns", focused: true)
        #expect(grid[0, 0].style == CellStyle(.focusBorder))
        #expect(grid[11, 1].style == CellStyle(.focusBorder))
        #expect(grid[4, 0].style == CellStyle(.focusTitle))
        var unfocused = Grid(width: 12, height: 3)
        unfocused.box(unfocused.bounds, title: "Conns")
        #expect(unfocused[0, 0].style == CellStyle(.border))
        #expect(unfocused[4, 0].style == CellStyle(.title))
        #expect(unfocused.lines == grid.lines)
    }

    @Test func longTitleIsTruncatedInsideTheBorder() {
        var grid = Grid(width: 12, height: 2)
        grid.box(grid.bounds, title: "Connections [4]")
        #expect(
            grid.lines == [
                "┌─ Connec…─┐",
                "└──────────┘",
            ])
    }

    @Test func titleWithSeveralStyles() {
        var grid = Grid(width: 24, height: 2)
        grid.box(grid.bounds, title: [Span("[Streams]", CellStyle(.focusTitle)), Span(" Upgrade", CellStyle(.muted))])
        #expect(grid.lines[0] == "┌─ [Streams] Upgrade ──┐")
        #expect(grid[3, 0].style == CellStyle(.focusTitle))
        #expect(grid[14, 0].style == CellStyle(.muted))
    }

    @Test func boxesTooSmallForABorderDrawNothing() {
        var grid = Grid(width: 3, height: 3)
        let inner = grid.box(Rect(x: 0, y: 0, width: 1, height: 3), title: "x")
        #expect(inner.isEmpty)
        #expect(grid.lines == ["   ", "   ", "   "])
        grid.box(Rect(x: 0, y: 0, width: 2, height: 2))
        #expect(grid.lines == ["┌┐ ", "└┘ ", "   "])
    }

    @Test func boxIsClippedByTheGrid() {
        var grid = Grid(width: 4, height: 2)
        grid.box(Rect(x: 1, y: 0, width: 6, height: 4))
        #expect(grid.lines == [" ┌──", " │  "])
    }

    @Test func asciiFallbackDrawsBoxesWithPlusMinusBar() {
        var grid = Grid(width: 14, height: 3, glyphs: .ascii)
        grid.box(grid.bounds, title: "Events")
        #expect(
            grid.lines == [
                "+- Events ---+",
                "|            |",
                "+------------+",
            ])
    }

    @Test func asciiFallbackUsesThreeDotsAndReplacesNonASCII() {
        var grid = Grid(width: 10, height: 2, glyphs: .ascii)
        grid.put("connections", x: 0, y: 0)
        grid.put("ok ✓ é", x: 0, y: 1)
        #expect(grid.lines == ["connect...", "ok ? ?    "])
        var narrow = Grid(width: 2, height: 1, glyphs: .ascii)
        narrow.put("abc", x: 0, y: 0)
        #expect(narrow.lines == [".."])
    }

    @Test func glyphSetFollowsTheLocale() {
        #expect(GlyphSet.forCodeset("UTF-8") == .unicode)
        #expect(GlyphSet.forCodeset("utf8") == .unicode)
        #expect(GlyphSet.forCodeset("ANSI_X3.4-1968") == .ascii)
        #expect(GlyphSet.forEnvironment(["LANG": "C.UTF-8"]) == .unicode)
        #expect(GlyphSet.forEnvironment(["LANG": "en_US.UTF-8", "LC_ALL": "C"]) == .ascii)
        #expect(GlyphSet.forEnvironment(["LANG": "C", "LC_CTYPE": "de_DE.utf8"]) == .unicode)
        #expect(GlyphSet.forEnvironment(["LC_ALL": "", "LANG": "C.UTF-8"]) == .unicode)
        #expect(GlyphSet.forEnvironment([:]) == .ascii)
    }

    @Test func asciiGlyphSetIsAllASCIIAndUnicodeSymbolsAreOneColumn() {
        let ascii = GlyphSet.ascii
        let asciiGlyphs =
            [ascii.horizontal, ascii.vertical, ascii.topLeft, ascii.topRight, ascii.bottomLeft, ascii.bottomRight].map(
                String.init)
            + [ascii.ok, ascii.failed, ascii.ellipsis, ascii.pointer, ascii.dot, ascii.arrowLeft, ascii.arrowRight]
        #expect(asciiGlyphs.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) })
        let unicode = GlyphSet.unicode
        let symbols = [
            unicode.ok, unicode.failed, unicode.ellipsis, unicode.pointer, unicode.dot, unicode.arrowLeft,
            unicode.arrowRight,
        ]
        #expect(symbols.allSatisfy { DisplayWidth.of($0) == 1 })
    }
}
