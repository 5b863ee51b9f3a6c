/// A horizontal run of cells to send to the terminal: same row, adjacent, one style.
public struct CellRun: Hashable, Sendable {
    public var row: Int
    public var column: Int
    public var cells: [Cell]

    public init(row: Int, column: Int, cells: [Cell]) {
        self.row = row
        self.column = column
        self.cells = cells
    }

    public var style: CellStyle { cells.first?.style ?? .plain }
}

extension Grid {
    /// The cells that differ from `previous`, grouped into runs, so a frame sends only what changed.
    /// Everything is a change when there is no previous frame or its size differs.
    ///
    /// Both halves of a wide character are always sent together, whichever half changed, because a
    /// terminal cannot redraw half a character: a run never starts on a continuation cell.
    public func changes(from previous: Grid?) -> [CellRun] {
        var runs: [CellRun] = []
        for y in 0..<height {
            let dirty = dirtyColumns(row: y, previous: previous)
            var x = 0
            while x < width {
                guard dirty[x] else {
                    x += 1
                    continue
                }
                let style = self[x, y].style
                var cells: [Cell] = []
                let start = x
                while x < width, dirty[x], self[x, y].style == style {
                    cells.append(self[x, y])
                    x += 1
                }
                runs.append(CellRun(row: y, column: start, cells: cells))
            }
        }
        return runs
    }

    private func dirtyColumns(row y: Int, previous: Grid?) -> [Bool] {
        guard let previous, previous.width == width, previous.height == height else {
            return Array(repeating: true, count: width)
        }
        var dirty = (0..<width).map { self[$0, y] != previous[$0, y] }
        for x in 0..<width where dirty[x] {
            let touchesWide =
                self[x + 1, y].isContinuation || previous[x + 1, y].isContinuation
            if touchesWide, x + 1 < width { dirty[x + 1] = true }
        }
        for x in stride(from: width - 1, to: 0, by: -1) where dirty[x] {
            if self[x, y].isContinuation || previous[x, y].isContinuation { dirty[x - 1] = true }
        }
        return dirty
    }
}
