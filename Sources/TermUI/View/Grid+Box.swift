extension Grid {
    /// Draws a one-line border around `rect` with an optional title in the top edge
    /// (`┌─ Title ─────┐`). A focused box gets the highlighted border and title, which is how the
    /// focused pane is told apart (and bold or reverse video carries it in monochrome).
    /// Returns the area inside the border; a rectangle smaller than 2x2 draws nothing.
    @discardableResult
    public mutating func box(_ rect: Rect, title: String? = nil, focused: Bool = false) -> Rect {
        let titleStyle = CellStyle(focused ? .focusTitle : .title)
        return box(rect, title: title.map { [Span($0, titleStyle)] } ?? [], focused: focused)
    }

    /// A box whose title mixes styles (a tab bar, a counter in another colour). Each span keeps its
    /// style; the title is cut with an ellipsis when the box is narrow.
    @discardableResult
    public mutating func box(_ rect: Rect, title: [Span], focused: Bool = false) -> Rect {
        guard rect.width >= 2, rect.height >= 2 else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
        let style = CellStyle(focused ? .focusBorder : .border)
        let right = rect.maxX - 1
        let bottom = rect.maxY - 1
        for x in rect.x + 1..<right {
            write(glyphs.horizontal, width: 1, style: style, x: x, y: rect.y)
            write(glyphs.horizontal, width: 1, style: style, x: x, y: bottom)
        }
        for y in rect.y + 1..<bottom {
            write(glyphs.vertical, width: 1, style: style, x: rect.x, y: y)
            write(glyphs.vertical, width: 1, style: style, x: right, y: y)
        }
        write(glyphs.topLeft, width: 1, style: style, x: rect.x, y: rect.y)
        write(glyphs.topRight, width: 1, style: style, x: right, y: rect.y)
        write(glyphs.bottomLeft, width: 1, style: style, x: rect.x, y: bottom)
        write(glyphs.bottomRight, width: 1, style: style, x: right, y: bottom)
        // The title sits between "┌─" and "─┐", padded by a space on each side.
        if let first = title.first, let last = title.last, rect.width > 6 {
            let spans = [Span(" ", first.style)] + title + [Span(" ", last.style)]
            put(spans, x: rect.x + 2, y: rect.y, maxWidth: rect.width - 4)
        }
        return rect.inner
    }
}
