import Testing

@testable import TermUI

@Test func defaultCellIsABlankPlainSpace() {
    let cell = Cell()
    #expect(cell.character == " ")
    #expect(cell.style == .plain)
}
