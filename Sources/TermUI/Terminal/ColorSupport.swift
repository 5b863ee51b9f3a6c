/// Whether the screen is drawn in colour, decided from the environment and what the terminal
/// reports. Pure, so the rules are testable without a terminal.
public enum ColorMode: Hashable, Sendable {
    /// The eight ANSI colours (`Theme.standard`).
    case ansi8
    /// Attributes only (`Theme.monochrome`).
    case monochrome

    /// Colour pairs `Theme.standard` needs: one per role, plus pair 0 which ncurses reserves.
    static let pairsNeeded = StyleRole.allCases.count + 1

    /// `NO_COLOR` set to anything non-empty (no-color.org) turns colour off; so does a terminal
    /// without colours, with fewer than 8, or with too few colour pairs for one per role.
    public static func select(
        environment: [String: String], terminalHasColors: Bool, colors: Int, colorPairs: Int
    ) -> ColorMode {
        if noColorRequested(environment) { return .monochrome }
        guard terminalHasColors, colors >= 8, colorPairs >= pairsNeeded else { return .monochrome }
        return .ansi8
    }

    /// `NO_COLOR` present and not empty.
    public static func noColorRequested(_ environment: [String: String]) -> Bool {
        environment["NO_COLOR"].map { !$0.isEmpty } ?? false
    }

    public var theme: Theme {
        switch self {
        case .ansi8: .standard
        case .monochrome: .monochrome
        }
    }
}
