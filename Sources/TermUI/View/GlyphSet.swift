/// The characters used for lines and symbols: box drawing and `✓ ✗ … ▸ ·` on UTF-8 terminals,
/// plain ASCII elsewhere, so a `LANG=C` terminal shows `+-|` instead of mojibake.
public struct GlyphSet: Hashable, Sendable {
    public var horizontal: Character
    public var vertical: Character
    public var topLeft: Character
    public var topRight: Character
    public var bottomLeft: Character
    public var bottomRight: Character
    /// Marks something done or open.
    public var ok: String
    /// Marks something failed.
    public var failed: String
    /// Ends truncated text; also marks something in progress.
    public var ellipsis: String
    /// Separates parts of a breadcrumb (`Upgrade ▸ conn 1`).
    public var pointer: String
    /// Separates items in a list (`conns 4 · streams 7`).
    public var dot: String
    public var arrowRight: String
    public var arrowLeft: String
    /// True when every glyph is ASCII; text drawn with this set is made ASCII too.
    public var asciiOnly: Bool

    public static let unicode = GlyphSet(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        ok: "✓", failed: "✗", ellipsis: "…", pointer: "▸", dot: "·", arrowRight: "→", arrowLeft: "←",
        asciiOnly: false
    )

    public static let ascii = GlyphSet(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        ok: "v", failed: "x", ellipsis: "...", pointer: ">", dot: "|", arrowRight: "->", arrowLeft: "<-",
        asciiOnly: true
    )

    /// The set for a locale codeset as reported by `nl_langinfo(CODESET)` ("UTF-8", "ANSI_X3.4-1968").
    public static func forCodeset(_ codeset: String) -> GlyphSet {
        isUTF8(codeset) ? .unicode : .ascii
    }

    /// The set for an environment, by POSIX precedence: the first non-empty of `LC_ALL`,
    /// `LC_CTYPE`, `LANG` names the character set; none at all means the C locale.
    public static func forEnvironment(_ environment: [String: String]) -> GlyphSet {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        return isUTF8(locale ?? "C") ? .unicode : .ascii
    }

    static func isUTF8(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.contains("utf-8") || lowered.contains("utf8")
    }
}
