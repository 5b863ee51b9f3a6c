import Testing

@testable import TermUI

@Suite struct LayoutTests {
    @Test(arguments: [
        (100, 30, LayoutMode.full), (120, 36, .full), (99, 30, .compact), (100, 29, .compact), (80, 24, .compact),
        (60, 16, .compact), (59, 16, .singlePane), (60, 15, .singlePane), (40, 10, .singlePane),
        (39, 10, .tooSmall), (40, 9, .tooSmall), (0, 0, .tooSmall),
    ])
    func breakpoints(width: Int, height: Int, mode: LayoutMode) {
        #expect(Layout.mode(for: TerminalSize(width: width, height: height)) == mode)
    }

    @Test func fullLayoutMatchesTheMockUpAt100x30() {
        let layout = Layout.compute(size: TerminalSize(width: 100, height: 30))
        #expect(layout.header == Rect(x: 0, y: 0, width: 100, height: 1))
        #expect(layout.rect(for: .connections) == Rect(x: 0, y: 1, width: 64, height: 11))
        #expect(layout.rect(for: .timeline) == Rect(x: 64, y: 1, width: 36, height: 11))
        #expect(layout.rect(for: .streams) == Rect(x: 0, y: 12, width: 100, height: 8))
        #expect(layout.rect(for: .events) == Rect(x: 0, y: 20, width: 100, height: 8))
        #expect(layout.commandLine == Rect(x: 0, y: 28, width: 100, height: 1))
        #expect(layout.hintBar == Rect(x: 0, y: 29, width: 100, height: 1))
        #expect(layout.panes == [.connections, .timeline, .streams, .events])
    }

    @Test func compactLayoutMatchesTheMockUpAt80x24() {
        let layout = Layout.compute(size: TerminalSize(width: 80, height: 24))
        #expect(layout.rect(for: .connections) == Rect(x: 0, y: 1, width: 80, height: 7))
        #expect(
            layout.slots[1] == PaneSlot(rect: Rect(x: 0, y: 8, width: 80, height: 8), panes: [.streams, .timeline]))
        #expect(layout.rect(for: .timeline) == layout.rect(for: .streams))
        #expect(layout.rect(for: .events) == Rect(x: 0, y: 16, width: 80, height: 6))
        #expect(layout.commandLine == Rect(x: 0, y: 22, width: 80, height: 1))
        #expect(layout.hintBar == Rect(x: 0, y: 23, width: 80, height: 1))
    }

    @Test func wideScreensGiveTheTimelineAQuarterOfTheExtraWidth() {
        let layout = Layout.compute(size: TerminalSize(width: 120, height: 36))
        #expect(layout.rect(for: .timeline) == Rect(x: 79, y: 1, width: 41, height: 13))
        let huge = Layout.compute(size: TerminalSize(width: 300, height: 40))
        #expect(huge.rect(for: .timeline)?.width == 48)
    }

    @Test(arguments: PaneID.allCases)
    func singlePaneShowsOnlyTheFocusedPane(focus: PaneID) {
        let layout = Layout.compute(size: TerminalSize(width: 59, height: 15), focus: focus)
        #expect(layout.mode == .singlePane)
        #expect(layout.slots == [PaneSlot(rect: Rect(x: 0, y: 1, width: 59, height: 12), panes: [focus])])
        #expect(layout.header != nil && layout.hintBar != nil && layout.commandLine != nil)
    }

    @Test func tooSmallHasOnlyTheMessageLine() {
        let layout = Layout.compute(size: TerminalSize(width: 39, height: 9))
        #expect(layout.slots.isEmpty && layout.header == nil && layout.hintBar == nil && layout.commandLine == nil)
        #expect(layout.message == Rect(x: 0, y: 0, width: 39, height: 1))
        #expect(
            Layout.tooSmallMessage(for: TerminalSize(width: 39, height: 9)) == "terminal too small: 39x9 (need 40x10)")
    }

    /// Every size from the minimum up to well past the largest breakpoint: panes stay on screen,
    /// never overlap, leave no hole in the body, and every box has room for a line of content.
    @Test func everySizeTilesTheScreen() {
        for width in 40...160 {
            for height in 10...60 {
                let size = TerminalSize(width: width, height: height)
                let layout = Layout.compute(size: size, focus: .events)
                let rects = layout.slots.map(\.rect)
                let screen = Rect(x: 0, y: 0, width: width, height: height)
                let bars = [layout.header, layout.commandLine, layout.hintBar].compactMap { $0 }
                var covered = Array(repeating: 0, count: width * height)
                for rect in rects + bars {
                    for y in rect.y..<rect.maxY {
                        for x in rect.x..<rect.maxX where screen.contains(Point(x: x, y: y)) {
                            covered[y * width + x] += 1
                        }
                    }
                }
                let area = (rects + bars).reduce(0) { $0 + $1.width * $1.height }
                guard covered.allSatisfy({ $0 == 1 }), area == width * height,
                    rects.allSatisfy({ $0.width >= 3 && $0.height >= 3 })
                else {
                    Issue.record("layout at \(size) does not tile the screen: \(rects)")
                    return
                }
            }
        }
    }

    @Test(arguments: [(120, 36), (100, 30), (80, 24), (59, 15), (39, 9)])
    func emptyLayoutSnapshot(width: Int, height: Int) {
        let grid = LayoutSkeleton.render(
            Layout.compute(size: TerminalSize(width: width, height: height)), focus: .connections)
        #expect(grid.lines.count == height)
        #expect(grid.lines.allSatisfy { $0.count == width })
        Snapshot.expect(grid.text, named: "layout-\(width)x\(height)")
    }

    @Test func emptyLayoutInASCII() {
        let layout = Layout.compute(size: TerminalSize(width: 80, height: 24))
        let grid = LayoutSkeleton.render(layout, focus: .events, glyphs: .ascii)
        Snapshot.expect(grid.text, named: "layout-80x24-ascii")
    }

    @Test func focusedPaneHasTheHighlightedBorder() {
        let layout = Layout.compute(size: TerminalSize(width: 100, height: 30))
        let grid = LayoutSkeleton.render(layout, focus: .streams)
        #expect(grid[0, 12].style == CellStyle(.focusBorder))
        #expect(grid[0, 1].style == CellStyle(.border))
        #expect(grid[0, 20].style == CellStyle(.border))
    }
}
