import Testing

@testable import TermUI

@Suite struct GridDiffTests {
    @Test func firstFrameSendsEveryCell() {
        var grid = Grid(width: 3, height: 2)
        grid.put("ab", x: 0, y: 0, style: CellStyle(.ok))
        let runs = grid.changes(from: nil)
        #expect(
            runs == [
                CellRun(
                    row: 0, column: 0, cells: [Cell("a", style: CellStyle(.ok)), Cell("b", style: CellStyle(.ok))]),
                CellRun(row: 0, column: 2, cells: [.blank]),
                CellRun(row: 1, column: 0, cells: [.blank, .blank, .blank]),
            ])
    }

    @Test func identicalFramesSendNothing() {
        var grid = Grid(width: 10, height: 3)
        grid.box(grid.bounds, title: "x")
        #expect(grid.changes(from: grid).isEmpty)
    }

    @Test func onlyChangedCellsAreSent() {
        var before = Grid(width: 10, height: 3)
        before.put("state open", x: 0, y: 1)
        var after = before
        after.put("shut", x: 6, y: 1)
        #expect(
            after.changes(from: before) == [
                CellRun(row: 1, column: 6, cells: [Cell("s"), Cell("h"), Cell("u"), Cell("t")])
            ])
    }

    @Test func aStyleChangeAloneIsAChange() {
        var before = Grid(width: 6, height: 1)
        before.put("open", x: 0, y: 0)
        var after = Grid(width: 6, height: 1)
        after.put("open", x: 0, y: 0, style: CellStyle(.selection))
        let runs = after.changes(from: before)
        #expect(runs.count == 1)
        #expect(runs[0].column == 0 && runs[0].cells.count == 4 && runs[0].style == CellStyle(.selection))
    }

    @Test func runsSplitWhereTheStyleChanges() {
        let before = Grid(width: 6, height: 1)
        var after = before
        after.put([Span("ab", CellStyle(.hintKey)), Span("cd", CellStyle(.hintText))], x: 1, y: 0)
        let runs = after.changes(from: before)
        #expect(runs.map(\.column) == [1, 3])
        #expect(runs.map(\.style) == [CellStyle(.hintKey), CellStyle(.hintText)])
    }

    @Test func separateChangesOnOneRowAreSeparateRuns() {
        var before = Grid(width: 8, height: 1)
        before.put("a..b..c.", x: 0, y: 0)
        var after = before
        after.put("X", x: 1, y: 0)
        after.put("Y", x: 5, y: 0)
        #expect(after.changes(from: before).map(\.column) == [1, 5])
    }

    @Test func aNewSizeRedrawsEverything() {
        let before = Grid(width: 4, height: 2)
        let after = Grid(width: 5, height: 2)
        let runs = after.changes(from: before)
        #expect(runs.reduce(0) { $0 + $1.cells.count } == 10)
    }

    @Test func bothHalvesOfAWideCharacterAreSentTogether() {
        var before = Grid(width: 4, height: 1)
        before.put("a日", x: 0, y: 0)
        // The wide character is replaced by two narrow ones: its continuation cell becomes "c".
        var after = before
        after.put("bc", x: 1, y: 0)
        let runs = after.changes(from: before)
        #expect(runs == [CellRun(row: 0, column: 1, cells: [Cell("b"), Cell("c")])])
        // One wide character replaces another: the unchanged continuation cell rides along.
        var other = before
        other.put("本", x: 1, y: 0)
        #expect(other.changes(from: before).map(\.column) == [1])
        #expect(other.changes(from: before).first?.cells.count == 2)
        // A wide character appears where narrow ones were: sent from its first cell.
        let back = before.changes(from: after)
        #expect(back.first?.column == 1)
        #expect(back.first?.cells.first?.character == "日")
    }
}
