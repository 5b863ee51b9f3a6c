/// The eight ANSI colours plus the terminal's own default. Nothing needs more, so the default theme
/// works under `TERM=screen` (8 colours, 64 pairs) and on light backgrounds.
public enum TerminalColor: Int8, Hashable, Sendable, CaseIterable {
    case terminalDefault = -1
    case black = 0
    case red, green, yellow, blue, magenta, cyan, white
}

/// How one role looks on a terminal.
public struct Appearance: Hashable, Sendable {
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var attributes: TextAttributes

    public init(
        foreground: TerminalColor = .terminalDefault,
        background: TerminalColor = .terminalDefault,
        attributes: TextAttributes = []
    ) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public var usesColor: Bool { foreground != .terminalDefault || background != .terminalDefault }
}

/// Maps every role to an appearance. Two themes: eight colours, and attributes only (for
/// `NO_COLOR` and terminals without colour), in the way htop's Monochrome scheme works.
public struct Theme: Hashable, Sendable {
    public let name: String
    private let appearances: [Appearance]

    public init(name: String, _ appearance: (StyleRole) -> Appearance) {
        self.name = name
        self.appearances = StyleRole.allCases.map(appearance)
    }

    public func appearance(for role: StyleRole) -> Appearance {
        appearances[Int(role.rawValue)]
    }

    /// The role's appearance with the style's own attributes added.
    public func appearance(of style: CellStyle) -> Appearance {
        var result = appearance(for: style.role)
        result.attributes.formUnion(style.attributes)
        return result
    }

    public static let standard = Theme(name: "standard") { role in
        switch role {
        case .plain, .border, .hintText: Appearance()
        case .header: Appearance(foreground: .black, background: .cyan)
        case .focusBorder: Appearance(foreground: .cyan, attributes: .bold)
        case .title: Appearance(foreground: .cyan)
        case .focusTitle: Appearance(foreground: .black, background: .cyan, attributes: .bold)
        case .columnHeader: Appearance(foreground: .yellow, attributes: .bold)
        case .selection: Appearance(foreground: .black, background: .green)
        case .inactiveSelection: Appearance(attributes: .reverse)
        case .ok: Appearance(foreground: .green)
        case .pending: Appearance(foreground: .yellow)
        case .error: Appearance(foreground: .red, attributes: .bold)
        case .warn: Appearance(foreground: .yellow, attributes: .bold)
        case .muted: Appearance(attributes: .dim)
        case .hintKey, .prompt: Appearance(foreground: .cyan, attributes: .bold)
        }
    }

    public static let monochrome = Theme(name: "monochrome") { role in
        switch role {
        case .plain, .border, .hintText, .ok, .pending: Appearance()
        case .header, .focusTitle, .selection: Appearance(attributes: .reverse)
        case .inactiveSelection: Appearance(attributes: .underline)
        case .focusBorder, .title, .error, .warn, .hintKey, .prompt: Appearance(attributes: .bold)
        case .columnHeader: Appearance(attributes: [.bold, .underline])
        case .muted: Appearance(attributes: .dim)
        }
    }
}
