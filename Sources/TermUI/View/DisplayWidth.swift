/// How many terminal columns a character takes, and what to draw instead of characters a terminal
/// must not receive. Text on screen includes strings from the network (agent versions, protocol
/// IDs), so control characters, bidi overrides and other invisible characters are neutralised here
/// rather than trusted to the terminal.
public enum DisplayWidth {
    /// The stand-in for a character that cannot be shown.
    public static let replacement: Character = "?"

    /// Columns a character takes once made displayable: 0, 1 or 2.
    public static func of(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        return columns(of: scalar)
    }

    /// Columns the string takes once made displayable.
    public static func of(_ text: String) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// The character as it should be drawn, with its width, or nil when it takes no column and is
    /// dropped (format characters, lone combining marks). With `asciiOnly`, everything outside ASCII
    /// becomes the replacement so a non-UTF-8 terminal never receives stray bytes.
    public static func displayable(_ character: Character, asciiOnly: Bool) -> (character: Character, width: Int)? {
        let scalars = character.unicodeScalars
        guard let base = scalars.first else { return nil }
        if isControl(base) { return (replacement, 1) }
        let width = columns(of: base)
        if width == 0 { return nil }
        if asciiOnly { return base.isASCII && scalars.count == 1 ? (character, 1) : (replacement, 1) }
        if scalars.count == 1 { return (character, width) }
        // Keep the base and the marks that sit on it; anything else in the cluster (joiners,
        // further emoji) would make the terminal's idea of the width differ from ours.
        var kept = String.UnicodeScalarView()
        kept.append(base)
        for scalar in scalars.dropFirst() where isCombining(scalar) { kept.append(scalar) }
        return (Character(String(kept)), width)
    }

    static func columns(of scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value >= 0x20 && value < 0x7F { return 1 }
        if isControl(scalar) { return 1 }  // drawn as the replacement
        if isCombining(scalar) || isInvisibleFormat(scalar) { return 0 }
        if isWide(value) || scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (value >= 0x7F && value < 0xA0)
    }

    static func isCombining(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark: true
        default: (0xFE00...0xFE0F).contains(scalar.value)  // variation selectors
        }
    }

    /// Zero-width and direction-changing characters (U+200B…U+200F, U+202A…U+202E, U+2060…,
    /// U+FEFF): category Cf. Soft hyphen is Cf too and is dropped with them.
    static func isInvisibleFormat(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .format
    }

    /// East Asian Wide and Fullwidth blocks (Unicode UAX #11), as terminals' wcwidth treats them.
    /// Emoji are covered by their Emoji_Presentation property instead.
    static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
            0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
            0x20000...0x2FFFD, 0x30000...0x3FFFD:
            true
        default:
            false
        }
    }
}
