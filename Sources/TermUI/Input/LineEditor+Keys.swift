/// What a key did to the line.
public enum LineEditorOutcome: Hashable, Sendable {
    /// The text or cursor may have changed; redraw.
    case handled
    /// Enter: the line was ended with this text (already in history, editor now empty).
    case submitted(String)
    /// Escape: the caller should close the prompt. The text is left as it was.
    case cancelled
    /// Not a line-editing key; the caller may use it.
    case ignored
}

extension LineEditor {
    /// Applies a key with readline's bindings: arrows, Home/End, Backspace/Delete, Ctrl-A/E/B/F,
    /// Ctrl-U/K/W, Ctrl-D (delete), ↑/↓ and Ctrl-P/N for history, Tab for completion.
    public mutating func handle(
        _ key: Key, completer: (CompletionRequest) -> [String] = { _ in [] }
    ) -> LineEditorOutcome {
        switch key {
        case .char(let character): insert(String(character))
        case .backspace, .ctrl("h"): backspace()
        case .delete, .ctrl("d"): deleteForward()
        case .left, .ctrl("b"): moveLeft()
        case .right, .ctrl("f"): moveRight()
        case .home, .ctrl("a"): moveToStart()
        case .end, .ctrl("e"): moveToEnd()
        case .ctrl("u"): deleteToStart()
        case .ctrl("k"): deleteToEnd()
        case .ctrl("w"): deleteWordBackward()
        case .up, .ctrl("p"): historyPrevious()
        case .down, .ctrl("n"): historyNext()
        case .tab: complete(using: completer)
        case .enter: return .submitted(submit())
        case .escape: return .cancelled
        default: return .ignored
        }
        return .handled
    }
}
