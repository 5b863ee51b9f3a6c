/// One character cell of the rendered screen: what to draw and how.
public struct Cell: Hashable, Sendable {
    public var character: Character
    public var style: CellStyle

    public init(_ character: Character = " ", style: CellStyle = .plain) {
        self.character = character
        self.style = style
    }
}

/// Styles carry meaning, so each one also has a glyph or text elsewhere on screen: colour is never the only signal.
public enum CellStyle: UInt8, Hashable, Sendable, CaseIterable {
    case plain, dim, bold, reverse, good, warning, error, accent, heading
}
