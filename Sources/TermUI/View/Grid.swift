/// A fixed-size screen of cells that views draw into. Pure data: the terminal backend blits it, and
/// tests read it back as text.
///
/// Writes outside the grid are clipped, never trapped. A two-column character is stored as its
/// cell plus a continuation cell; overwriting either half blanks the other, so the grid never holds
/// half a wide character.
public struct Grid: Hashable, Sendable {
    public let width: Int
    public let height: Int
    /// The glyphs that boxes, ellipses and symbols are drawn with.
    public let glyphs: GlyphSet
    private var cells: [Cell]

    public init(width: Int, height: Int, glyphs: GlyphSet = .unicode) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.glyphs = glyphs
        self.cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public init(size: TerminalSize, glyphs: GlyphSet = .unicode) {
        self.init(width: size.width, height: size.height, glyphs: glyphs)
    }

    public var size: TerminalSize { TerminalSize(width: width, height: height) }
    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// Reading outside the grid gives a blank cell; writing there does nothing.
    public subscript(x: Int, y: Int) -> Cell {
        get { contains(x: x, y: y) ? cells[y * width + x] : .blank }
        set { set(newValue, x: x, y: y) }
    }

    func contains(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < width && y < height
    }

    /// Writes one character of `characterWidth` columns (1 or 2) at (x, y). A wide character that
    /// does not fit before the right edge is not drawn. Returns whether it was drawn.
    @discardableResult
    mutating func write(_ character: Character, width characterWidth: Int, style: CellStyle, x: Int, y: Int) -> Bool {
        guard contains(x: x, y: y), characterWidth == 1 || contains(x: x + 1, y: y) else { return false }
        set(Cell(character, style: style), x: x, y: y)
        if characterWidth == 2 { set(.continuation(style: style), x: x + 1, y: y) }
        return true
    }

    private mutating func set(_ cell: Cell, x: Int, y: Int) {
        guard contains(x: x, y: y) else { return }
        let index = y * width + x
        let old = cells[index]
        if old.isContinuation, !cell.isContinuation, x > 0 {
            // Overwriting the right half of a wide character: its left half goes too.
            cells[index - 1] = Cell(" ", style: cells[index - 1].style)
        }
        if !old.isContinuation, x + 1 < width, cells[index + 1].isContinuation {
            // Overwriting the left half: the right half goes too.
            cells[index + 1] = Cell(" ", style: cells[index + 1].style)
        }
        cells[index] = cell
    }

    /// Blanks every cell of `rect` (clipped) with `style`.
    public mutating func fill(_ rect: Rect, style: CellStyle = .plain) {
        fill(rect, with: Cell(" ", style: style))
    }

    /// Sets every cell of `rect` (clipped) to `cell`, which must be one column wide.
    public mutating func fill(_ rect: Rect, with cell: Cell) {
        for y in max(0, rect.y)..<min(height, rect.maxY) {
            for x in max(0, rect.x)..<min(width, rect.maxX) {
                set(cell, x: x, y: y)
            }
        }
    }

    /// Each row as plain text, one string per row, trailing spaces kept: what snapshot tests compare.
    public var lines: [String] {
        (0..<height).map { y in
            var line = ""
            for x in 0..<width where !cells[y * width + x].isContinuation {
                line.append(cells[y * width + x].character)
            }
            return line
        }
    }

    /// The rows joined by newlines.
    public var text: String { lines.joined(separator: "\n") }
}
