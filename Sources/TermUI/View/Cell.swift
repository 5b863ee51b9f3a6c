/// One character cell of the rendered screen: what to draw and how.
///
/// A character two columns wide occupies its own cell and the next one; that second cell is a
/// continuation (`isContinuation`), which renderers skip because the terminal fills it.
public struct Cell: Hashable, Sendable {
    public var character: Character
    public var style: CellStyle
    public var isContinuation: Bool

    public init(_ character: Character = " ", style: CellStyle = .plain) {
        self.character = character
        self.style = style
        self.isContinuation = false
    }

    public static let blank = Cell()

    /// The right half of a two-column character drawn in the cell to its left.
    public static func continuation(style: CellStyle) -> Cell {
        var cell = Cell(" ", style: style)
        cell.isContinuation = true
        return cell
    }
}

/// What a piece of screen means. A `Theme` turns roles into colours or attributes, so widgets never
/// name colours, and the monochrome theme can keep every role legible with attributes alone.
///
/// Colour is never the only signal: each state role also comes with text or a glyph on screen.
public enum StyleRole: UInt8, Hashable, Sendable, CaseIterable {
    case plain
    /// The one-line bar at the top of the screen.
    case header
    case border
    case focusBorder
    case title
    case focusTitle
    /// Column titles of a table.
    case columnHeader
    /// The selected row of the focused table.
    case selection
    /// The selected row of a table that does not have focus.
    case inactiveSelection
    /// Open, established, done (✓).
    case ok
    /// Upgrading, syn-sent, half-closed, in progress (…).
    case pending
    /// Failed, reset, refused (✗).
    case error
    case warn
    /// Closed things, timestamps, debug lines.
    case muted
    /// A key name in the hint bar (`q`, `tab`).
    case hintKey
    /// What a key in the hint bar does.
    case hintText
    /// The `:` of the command line and its messages.
    case prompt
}

/// Attributes added on top of a role's appearance.
public struct TextAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = TextAttributes(rawValue: 1 << 0)
    public static let dim = TextAttributes(rawValue: 1 << 1)
    public static let reverse = TextAttributes(rawValue: 1 << 2)
    public static let underline = TextAttributes(rawValue: 1 << 3)
}

/// A role plus extra attributes: everything a renderer needs to choose how a cell looks.
public struct CellStyle: Hashable, Sendable {
    public var role: StyleRole
    public var attributes: TextAttributes

    public init(_ role: StyleRole = .plain, _ attributes: TextAttributes = []) {
        self.role = role
        self.attributes = attributes
    }

    public static let plain = CellStyle()

    public func adding(_ extra: TextAttributes) -> CellStyle {
        CellStyle(role, attributes.union(extra))
    }
}
