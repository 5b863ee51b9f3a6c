/// Where text that is too long loses its characters.
public enum Truncation: Hashable, Sendable {
    /// `/ip4/192.168.1.9/tcp/4…`
    case tail
    /// `12D3…Ab7Q`: keeps both ends, for identifiers.
    case middle
}

public enum Alignment: Hashable, Sendable {
    case left, right, center
}

/// A run of text in one style, for lines that mix styles (hint bar, titles with counters).
public struct Span: Hashable, Sendable {
    public var text: String
    public var style: CellStyle

    public init(_ text: String, _ style: CellStyle = .plain) {
        self.text = text
        self.style = style
    }
}

/// One displayable character with its width and style, ready to be placed.
struct PlacedGlyph {
    var character: Character
    var width: Int
    var style: CellStyle
}

extension Grid {
    /// Draws `text` from (x, y) in at most `maxWidth` columns (and never past the right edge); text
    /// that does not fit is truncated with the glyph set's ellipsis. Returns the columns used.
    @discardableResult
    public mutating func put(
        _ text: String, x: Int, y: Int, style: CellStyle = .plain, maxWidth: Int? = nil,
        truncation: Truncation = .tail
    ) -> Int {
        put([Span(text, style)], x: x, y: y, maxWidth: maxWidth, truncation: truncation)
    }

    /// Draws several styled runs as one line, truncated as a whole. Returns the columns used.
    @discardableResult
    public mutating func put(
        _ spans: [Span], x: Int, y: Int, maxWidth: Int? = nil, truncation: Truncation = .tail
    ) -> Int {
        let available = min(maxWidth ?? Int.max, width - x)
        guard available > 0 else { return 0 }
        let placed = fit(glyphs(of: spans), into: available, truncation: truncation)
        return draw(placed, x: x, y: y)
    }

    /// Draws `text` inside a field of `fieldWidth` columns starting at x, aligned within it and
    /// truncated to it. Cells of the field that the text does not cover are left as they are.
    @discardableResult
    public mutating func put(
        _ text: String, x: Int, y: Int, fieldWidth: Int, alignment: Alignment, style: CellStyle = .plain,
        truncation: Truncation = .tail
    ) -> Int {
        let available = min(fieldWidth, width - x)
        guard available > 0 else { return 0 }
        let placed = fit(glyphs(of: [Span(text, style)]), into: available, truncation: truncation)
        let used = placed.reduce(0) { $0 + $1.width }
        let offset =
            switch alignment {
            case .left: 0
            case .right: available - used
            case .center: (available - used) / 2
            }
        return draw(placed, x: x + offset, y: y)
    }

    /// Columns `text` takes when drawn on this grid (after ASCII fallback and sanitising).
    public func columns(of text: String) -> Int {
        glyphs(of: [Span(text)]).reduce(0) { $0 + $1.width }
    }

    // MARK: - Internals

    func glyphs(of spans: [Span]) -> [PlacedGlyph] {
        var result: [PlacedGlyph] = []
        for span in spans {
            for character in span.text {
                guard let shown = DisplayWidth.displayable(character, asciiOnly: glyphs.asciiOnly) else { continue }
                result.append(PlacedGlyph(character: shown.character, width: shown.width, style: span.style))
            }
        }
        return result
    }

    /// Cuts `items` down to `available` columns, putting the ellipsis where text was removed, in the
    /// style of the text just before it.
    func fit(_ items: [PlacedGlyph], into available: Int, truncation: Truncation) -> [PlacedGlyph] {
        let total = items.reduce(0) { $0 + $1.width }
        if total <= available { return items }
        let ellipsisWidth = glyphs.ellipsis.count
        guard available > ellipsisWidth else {
            let style = items.first?.style ?? .plain
            return glyphs.ellipsis.prefix(available).map { PlacedGlyph(character: $0, width: 1, style: style) }
        }
        let room = available - ellipsisWidth
        switch truncation {
        case .tail:
            let head = prefix(of: items, columns: room)
            return head + ellipsis(style: (head.last ?? items[0]).style)
        case .middle:
            let headRoom = (room + 1) / 2
            let head = prefix(of: items, columns: headRoom)
            let tail = Array(prefix(of: items.reversed(), columns: room - headRoom).reversed())
            return head + ellipsis(style: (head.last ?? items[0]).style) + tail
        }
    }

    private func prefix<C: Collection<PlacedGlyph>>(of items: C, columns: Int) -> [PlacedGlyph] {
        var used = 0
        var result: [PlacedGlyph] = []
        for item in items {
            guard used + item.width <= columns else { break }
            used += item.width
            result.append(item)
        }
        return result
    }

    private func ellipsis(style: CellStyle) -> [PlacedGlyph] {
        glyphs.ellipsis.map { PlacedGlyph(character: $0, width: 1, style: style) }
    }

    private mutating func draw(_ placed: [PlacedGlyph], x: Int, y: Int) -> Int {
        var column = x
        for item in placed {
            write(item.character, width: item.width, style: item.style, x: column, y: y)
            column += item.width
        }
        return column - x
    }
}
