/// The four panes of the screen. Focus and tab switching work on these.
public enum PaneID: String, Hashable, Sendable, CaseIterable {
    case connections, timeline, streams, events

    /// The pane's title as drawn in its border.
    public var title: String {
        switch self {
        case .connections: "Connections"
        case .timeline: "Upgrade"
        case .streams: "Streams"
        case .events: "Events"
        }
    }
}

/// Which arrangement a terminal size gets (GUIDE §3.2).
public enum LayoutMode: Hashable, Sendable {
    /// At least 100x30: connections and timeline side by side, streams, events.
    case full
    /// At least 60x16: the timeline becomes a tab of the streams pane, events get fewer rows.
    case compact
    /// At least 40x10: only the focused pane between header and hint bar.
    case singlePane
    /// Smaller: one line saying so.
    case tooSmall
}

/// A rectangle holding one pane, or several as tabs of which one shows at a time.
public struct PaneSlot: Hashable, Sendable {
    public var rect: Rect
    /// More than one pane means tabs, in tab order.
    public var panes: [PaneID]

    public init(rect: Rect, panes: [PaneID]) {
        self.rect = rect
        self.panes = panes
    }
}

/// Where everything goes on a screen of one size. Pure data from `Layout.compute`.
public struct ScreenLayout: Hashable, Sendable {
    public var size: TerminalSize
    public var mode: LayoutMode
    public var header: Rect?
    /// Pane rectangles top to bottom, left to right.
    public var slots: [PaneSlot]
    public var commandLine: Rect?
    public var hintBar: Rect?
    /// The line for `.tooSmall`.
    public var message: Rect?

    /// The rectangle `pane` is drawn in, if it is on screen (for a tab: when its tab is chosen).
    public func rect(for pane: PaneID) -> Rect? {
        slots.first { $0.panes.contains(pane) }?.rect
    }

    /// Panes with a place on screen, in slot order (tabs included).
    public var panes: [PaneID] { slots.flatMap(\.panes) }
}

/// The breakpoints and proportions of the screen, a pure function of the terminal size.
public enum Layout {
    public static let full = TerminalSize(width: 100, height: 30)
    public static let compact = TerminalSize(width: 60, height: 16)
    public static let minimum = TerminalSize(width: 40, height: 10)
    /// The timeline's width at 100 columns; it grows by a quarter of any extra width.
    static let timelineWidth = 36
    static let timelineMaximumWidth = 48

    public static func mode(for size: TerminalSize) -> LayoutMode {
        if fits(size, full) { return .full }
        if fits(size, compact) { return .compact }
        if fits(size, minimum) { return .singlePane }
        return .tooSmall
    }

    /// The layout for `size`. `focus` only matters in `.singlePane`, where it is the one pane shown.
    public static func compute(size: TerminalSize, focus: PaneID = .connections) -> ScreenLayout {
        let mode = mode(for: size)
        let width = size.width
        let height = size.height
        guard mode != .tooSmall else {
            return ScreenLayout(
                size: size, mode: mode, header: nil, slots: [], commandLine: nil, hintBar: nil,
                message: Rect(x: 0, y: 0, width: width, height: min(1, height)))
        }
        let header = Rect(x: 0, y: 0, width: width, height: 1)
        let commandLine = Rect(x: 0, y: height - 2, width: width, height: 1)
        let hintBar = Rect(x: 0, y: height - 1, width: width, height: 1)
        let body = Rect(x: 0, y: 1, width: width, height: height - 3)
        let slots: [PaneSlot] =
            switch mode {
            case .full: fullSlots(body)
            case .compact: compactSlots(body)
            case .singlePane, .tooSmall: [PaneSlot(rect: body, panes: [focus])]
            }
        return ScreenLayout(
            size: size, mode: mode, header: header, slots: slots, commandLine: commandLine, hintBar: hintBar,
            message: nil)
    }

    /// "terminal too small: 39x9 (need 40x10)"
    public static func tooSmallMessage(for size: TerminalSize) -> String {
        "terminal too small: \(size) (need \(minimum))"
    }

    private static func fits(_ size: TerminalSize, _ needed: TerminalSize) -> Bool {
        size.width >= needed.width && size.height >= needed.height
    }

    /// At 100x30 the 27 body rows split 11 / 8 / 8 as in the mock-up; larger screens keep those
    /// proportions.
    private static func fullSlots(_ body: Rect) -> [PaneSlot] {
        let topHeight = body.height * 11 / 27
        let streamsHeight = body.height * 8 / 27
        let eventsHeight = body.height - topHeight - streamsHeight
        let timelineWidth = min(timelineMaximumWidth, timelineWidth + (body.width - full.width) / 4)
        let connectionsWidth = body.width - timelineWidth
        let streamsY = body.y + topHeight
        let eventsY = streamsY + streamsHeight
        return [
            PaneSlot(rect: Rect(x: 0, y: body.y, width: connectionsWidth, height: topHeight), panes: [.connections]),
            PaneSlot(
                rect: Rect(x: connectionsWidth, y: body.y, width: timelineWidth, height: topHeight),
                panes: [.timeline]),
            PaneSlot(rect: Rect(x: 0, y: streamsY, width: body.width, height: streamsHeight), panes: [.streams]),
            PaneSlot(rect: Rect(x: 0, y: eventsY, width: body.width, height: eventsHeight), panes: [.events]),
        ]
    }

    /// At 80x24 the 21 body rows split 7 / 8 / 6 as in the mock-up: events keep 4 lines of text,
    /// and the rest goes 7:8 to connections and the streams/timeline tabs.
    private static func compactSlots(_ body: Rect) -> [PaneSlot] {
        let eventsHeight = max(3, body.height * 6 / 21)
        let rest = body.height - eventsHeight
        let connectionsHeight = rest * 7 / 15
        let tabsHeight = rest - connectionsHeight
        return [
            PaneSlot(rect: Rect(x: 0, y: body.y, width: body.width, height: connectionsHeight), panes: [.connections]),
            PaneSlot(
                rect: Rect(x: 0, y: body.y + connectionsHeight, width: body.width, height: tabsHeight),
                panes: [.streams, .timeline]),
            PaneSlot(rect: Rect(x: 0, y: body.y + rest, width: body.width, height: eventsHeight), panes: [.events]),
        ]
    }
}
