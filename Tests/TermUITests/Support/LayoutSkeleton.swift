@testable import TermUI

/// Draws a layout with no data: header, titled pane boxes, command line and hint bar. Lets the
/// layout be checked by eye in snapshot files before the real views exist.
enum LayoutSkeleton {
    static func render(_ layout: ScreenLayout, focus: PaneID, glyphs: GlyphSet = .unicode) -> Grid {
        var grid = Grid(size: layout.size, glyphs: glyphs)
        if let message = layout.message {
            grid.put(Layout.tooSmallMessage(for: layout.size), x: message.x, y: message.y, maxWidth: message.width)
        }
        if let header = layout.header {
            grid.fill(header, style: CellStyle(.header))
            grid.put(
                " peerscope \(glyphs.pointer) local", x: header.x, y: header.y, style: CellStyle(.header),
                maxWidth: header.width)
        }
        for slot in layout.slots {
            let focused = slot.panes.contains(focus)
            let title: [Span] =
                slot.panes.count == 1
                ? [Span(slot.panes[0].title, CellStyle(focused ? .focusTitle : .title))]
                : slot.panes.enumerated().map { index, pane in
                    Span(
                        index == 0 ? "[\(pane.title)]" : " \(pane.title)", CellStyle(index == 0 ? .focusTitle : .title))
                }
            grid.box(slot.rect, title: title, focused: focused)
        }
        if let commandLine = layout.commandLine {
            grid.put(":", x: commandLine.x, y: commandLine.y, style: CellStyle(.prompt))
        }
        if let hintBar = layout.hintBar {
            let hints = [("?", "help"), ("q", "quit"), ("tab", "pane"), ("j/k", "move"), (":", "command")]
            let spans = hints.enumerated().flatMap { index, hint in
                [
                    Span((index == 0 ? " " : "  ") + hint.0, CellStyle(.hintKey)),
                    Span(" " + hint.1, CellStyle(.hintText)),
                ]
            }
            grid.put(spans, x: hintBar.x, y: hintBar.y, maxWidth: hintBar.width)
        }
        return grid
    }
}
