import Testing

@testable import TermUI

@Suite struct TableTests {
    let columns = [
        TableColumn("#", width: .fixed(1)),
        TableColumn("PEER", width: .fixed(9), truncation: .middle),
        TableColumn("REMOTE", width: .flexible(minimum: 6)),
        TableColumn("STATE", width: .fixed(9)),
        TableColumn("RTT", width: .fixed(5), alignment: .right),
    ]

    var rows: [[TableCell]] {
        [
            ["1", "12D3KooWAb7Q", "/ip4/127.0.0.1/tcp/4001", TableCell("open", CellStyle(.ok)), "0.4ms"],
            ["2", "12D3KooWXyz2", "/ip4/10.0.0.7/tcp/4001", TableCell("upgrading", CellStyle(.pending)), "-"],
            ["3", "QmYyQSo1c1Ym", "/ip4/203.0.113.5/tcp/4001", TableCell("failed", CellStyle(.error)), "-"],
        ]
    }

    @Test func columnsAlignAndTruncate() {
        var grid = Grid(width: 45, height: 4)
        grid.table(Table(columns: columns, rows: rows), in: grid.bounds)
        #expect(
            grid.lines == [
                "# PEER      REMOTE            STATE       RTT",
                "1 12D3…Ab7Q /ip4/127.0.0.1/t… open      0.4ms",
                "2 12D3…Xyz2 /ip4/10.0.0.7/tc… upgrading     -",
                "3 QmYy…c1Ym /ip4/203.0.113.5… failed        -",
            ])
    }

    @Test func headerUsesTheColumnHeaderRoleAndCellsKeepTheirRoles() {
        var grid = Grid(width: 45, height: 4)
        grid.table(Table(columns: columns, rows: rows), in: grid.bounds)
        #expect(grid[2, 0].style == CellStyle(.columnHeader))
        #expect(grid[32, 1].style == CellStyle(.ok))
        #expect(grid[32, 3].style == CellStyle(.error))
    }

    @Test func selectedRowIsDrawnWholeInTheSelectionStyle() {
        var grid = Grid(width: 45, height: 4)
        grid.table(Table(columns: columns, rows: rows, selectedRow: 1), in: grid.bounds)
        #expect((0..<45).allSatisfy { grid[$0, 2].style == CellStyle(.selection) })
        #expect(grid[32, 1].style == CellStyle(.ok))
        var unfocused = Grid(width: 45, height: 4)
        unfocused.table(
            Table(columns: columns, rows: rows, selectedRow: 1), in: unfocused.bounds,
            selectionStyle: CellStyle(.inactiveSelection))
        #expect(unfocused[0, 2].style == CellStyle(.inactiveSelection))
        #expect(unfocused.lines == grid.lines)
    }

    @Test func flexibleColumnsShareWhatIsLeft() {
        let columns = [
            TableColumn("A", width: .fixed(4)),
            TableColumn("B", width: .flexible(minimum: 2)),
            TableColumn("C", width: .flexible(minimum: 2)),
        ]
        #expect(Table.widths(of: columns, fitting: 20) == [4, 7, 7])
        #expect(Table.widths(of: columns, fitting: 21) == [4, 8, 7])
        #expect(Table.widths(of: columns, fitting: 9) == [4, 4, 0])
        #expect(Table.widths(of: columns, fitting: 3) == [0, 0, 0])
    }

    @Test func columnsThatDoNotFitAreDroppedFromTheRight() {
        var grid = Grid(width: 20, height: 1)
        grid.table(Table(columns: columns, rows: []), in: grid.bounds)
        #expect(grid.lines == ["# PEER      REMOTE  "])
    }

    @Test func scrollingKeepsTheSelectionVisible() {
        #expect(Table.firstVisibleRow(current: 0, selected: 5, visibleRows: 3, rowCount: 10) == 3)
        #expect(Table.firstVisibleRow(current: 4, selected: 2, visibleRows: 3, rowCount: 10) == 2)
        #expect(Table.firstVisibleRow(current: 2, selected: 3, visibleRows: 3, rowCount: 10) == 2)
        // Rows went away: no empty space while earlier rows are hidden.
        #expect(Table.firstVisibleRow(current: 8, selected: nil, visibleRows: 3, rowCount: 5) == 2)
        #expect(Table.firstVisibleRow(current: 8, selected: nil, visibleRows: 3, rowCount: 2) == 0)
        #expect(Table.firstVisibleRow(current: 1, selected: 1, visibleRows: 0, rowCount: 2) == 0)
    }

    @Test func tableShowsOnlyTheRowsThatFitAroundTheSelection() {
        let rows = (1...6).map { [TableCell("\($0)")] }
        var grid = Grid(width: 3, height: 3)
        grid.table(Table(columns: [TableColumn("N", width: .fixed(3))], rows: rows, selectedRow: 4), in: grid.bounds)
        #expect(grid.lines == ["N  ", "4  ", "5  "])
        #expect(grid[0, 2].style == CellStyle(.selection))
    }
}
