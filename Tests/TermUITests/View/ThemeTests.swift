import Testing

@testable import TermUI

@Suite struct ThemeTests {
    @Test func standardThemeNeedsOnlyTheEightColours() {
        for role in StyleRole.allCases {
            let look = Theme.standard.appearance(for: role)
            #expect(TerminalColor.allCases.contains(look.foreground))
            // Text never disappears into its own background.
            if look.foreground != .terminalDefault || look.background != .terminalDefault {
                #expect(look.foreground != look.background, "\(role)")
            }
        }
    }

    @Test func monochromeThemeUsesNoColourAtAll() {
        #expect(StyleRole.allCases.allSatisfy { !Theme.monochrome.appearance(for: $0).usesColor })
    }

    /// Roles that must be told apart without colour: focus, selection, the header bar.
    @Test(arguments: [Theme.standard, Theme.monochrome])
    func structuralRolesStayDistinct(theme: Theme) {
        #expect(theme.appearance(for: .focusBorder) != theme.appearance(for: .border))
        #expect(theme.appearance(for: .focusTitle) != theme.appearance(for: .title))
        #expect(theme.appearance(for: .selection) != theme.appearance(for: .plain))
        #expect(theme.appearance(for: .inactiveSelection) != theme.appearance(for: .plain))
        #expect(theme.appearance(for: .selection) != theme.appearance(for: .inactiveSelection))
        #expect(theme.appearance(for: .header) != theme.appearance(for: .plain))
        #expect(theme.appearance(for: .columnHeader) != theme.appearance(for: .plain))
        #expect(theme.appearance(for: .error) != theme.appearance(for: .plain))
    }

    @Test func monochromeMarksSelectionAndHeaderInReverse() {
        #expect(Theme.monochrome.appearance(for: .selection).attributes.contains(.reverse))
        #expect(Theme.monochrome.appearance(for: .header).attributes.contains(.reverse))
        #expect(Theme.monochrome.appearance(for: .focusBorder).attributes.contains(.bold))
    }

    @Test func styleAttributesAddToTheRole() {
        let look = Theme.standard.appearance(of: CellStyle(.ok, [.bold, .underline]))
        #expect(look.foreground == .green)
        #expect(look.attributes == [.bold, .underline])
        #expect(CellStyle(.ok).adding(.reverse) == CellStyle(.ok, .reverse))
    }

    @Test func noColorOrAPoorTerminalMeansMonochrome() {
        let env = ["TERM": "xterm"]
        #expect(ColorMode.select(environment: env, terminalHasColors: true, colors: 8, colorPairs: 64) == .ansi8)
        #expect(
            ColorMode.select(environment: ["NO_COLOR": "1"], terminalHasColors: true, colors: 256, colorPairs: 256)
                == .monochrome)
        // An empty NO_COLOR does not count (no-color.org).
        #expect(
            ColorMode.select(environment: ["NO_COLOR": ""], terminalHasColors: true, colors: 8, colorPairs: 64)
                == .ansi8)
        #expect(ColorMode.select(environment: env, terminalHasColors: false, colors: 0, colorPairs: 0) == .monochrome)
        #expect(ColorMode.select(environment: env, terminalHasColors: true, colors: 8, colorPairs: 8) == .monochrome)
        #expect(ColorMode.ansi8.theme == .standard)
        #expect(ColorMode.monochrome.theme == .monochrome)
    }
}
