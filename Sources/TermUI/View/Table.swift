/// A column of a `Table`: its title, how wide it is and how its text sits in it.
public struct TableColumn: Hashable, Sendable {
    public enum Width: Hashable, Sendable {
        case fixed(Int)
        /// Shares the columns left over by fixed ones, never narrower than `minimum`.
        case flexible(minimum: Int)
    }

    public var title: String
    public var width: Width
    public var alignment: Alignment
    public var truncation: Truncation

    public init(_ title: String, width: Width, alignment: Alignment = .left, truncation: Truncation = .tail) {
        self.title = title
        self.width = width
        self.alignment = alignment
        self.truncation = truncation
    }
}

/// One cell of a table row: text with the role that gives it meaning (`open` as `.ok`).
public struct TableCell: Hashable, Sendable, ExpressibleByStringLiteral {
    public var text: String
    public var style: CellStyle

    public init(_ text: String, _ style: CellStyle = .plain) {
        self.text = text
        self.style = style
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }
}

/// Rows under column titles, with at most one selected row, scrolled so the selection shows.
public struct Table: Hashable, Sendable {
    /// Columns between two columns of text.
    public static let columnGap = 1

    public var columns: [TableColumn]
    public var rows: [[TableCell]]
    public var selectedRow: Int?
    /// The first row drawn; `Table.firstVisibleRow` keeps it consistent with the selection.
    public var firstVisibleRow: Int
    public var showsHeader: Bool

    public init(
        columns: [TableColumn], rows: [[TableCell]], selectedRow: Int? = nil, firstVisibleRow: Int = 0,
        showsHeader: Bool = true
    ) {
        self.columns = columns
        self.rows = rows
        self.selectedRow = selectedRow
        self.firstVisibleRow = firstVisibleRow
        self.showsHeader = showsHeader
    }

    /// Column widths for `totalWidth` columns of space. Fixed columns get their width, flexible ones
    /// their minimum plus an equal share of what is left (the first ones get the remainder). Columns
    /// that no longer fit, from the right, get 0 and are not drawn.
    public static func widths(of columns: [TableColumn], fitting totalWidth: Int) -> [Int] {
        var widths = Array(repeating: 0, count: columns.count)
        var used = 0
        var flexible: [Int] = []
        for (index, column) in columns.enumerated() {
            let wanted =
                switch column.width {
                case .fixed(let n): max(0, n)
                case .flexible(let minimum): max(0, minimum)
                }
            let needed = wanted + (used == 0 ? 0 : columnGap)
            guard used + needed <= totalWidth else { break }
            used += needed
            widths[index] = wanted
            if case .flexible = column.width { flexible.append(index) }
        }
        guard !flexible.isEmpty else { return widths }
        let spare = totalWidth - used
        for (rank, index) in flexible.enumerated() {
            widths[index] += spare / flexible.count + (rank < spare % flexible.count ? 1 : 0)
        }
        return widths
    }

    /// The first row to draw so that the selection stays in view with as little scrolling as
    /// possible, and no empty rows show below the last one while earlier rows are hidden.
    public static func firstVisibleRow(current: Int, selected: Int?, visibleRows: Int, rowCount: Int) -> Int {
        guard visibleRows > 0 else { return 0 }
        var first = min(current, rowCount - visibleRows)
        if let selected, selected >= 0, selected < rowCount {
            if selected < first { first = selected }
            if selected >= first + visibleRows { first = selected - visibleRows + 1 }
        }
        return max(0, first)
    }
}

extension Grid {
    /// Draws `table` into `rect`: a title row in the column-header role, then as many rows as fit.
    /// The selected row is drawn whole in `selectionStyle` (reverse video), text attributes kept.
    public mutating func table(_ table: Table, in rect: Rect, selectionStyle: CellStyle = CellStyle(.selection)) {
        guard !rect.isEmpty else { return }
        let widths = Table.widths(of: table.columns, fitting: rect.width)
        var y = rect.y
        if table.showsHeader {
            let titles = table.columns.map { TableCell($0.title, CellStyle(.columnHeader)) }
            drawRow(titles, columns: table.columns, widths: widths, x: rect.x, y: y)
            y += 1
        }
        let visibleRows = rect.maxY - y
        let first = Table.firstVisibleRow(
            current: table.firstVisibleRow, selected: table.selectedRow, visibleRows: visibleRows,
            rowCount: table.rows.count)
        for (offset, index) in (first..<min(table.rows.count, first + max(0, visibleRows))).enumerated() {
            var cells = table.rows[index]
            let rowY = y + offset
            if index == table.selectedRow {
                fill(Rect(x: rect.x, y: rowY, width: rect.width, height: 1), style: selectionStyle)
                cells = cells.map { TableCell($0.text, selectionStyle.adding($0.style.attributes)) }
            }
            drawRow(cells, columns: table.columns, widths: widths, x: rect.x, y: rowY)
        }
    }

    private mutating func drawRow(_ cells: [TableCell], columns: [TableColumn], widths: [Int], x: Int, y: Int) {
        var column = x
        for (index, width) in widths.enumerated() where width > 0 {
            if index < cells.count {
                let cell = cells[index]
                put(
                    cell.text, x: column, y: y, fieldWidth: width, alignment: columns[index].alignment,
                    style: cell.style, truncation: columns[index].truncation)
            }
            column += width + Table.columnGap
        }
    }
}
