/// A key press, as the UI's update function sees it.
public enum Key: Hashable, Sendable {
    /// A printable character (never a control character).
    case char(Character)
    case enter
    case escape
    case tab
    /// Shift-Tab.
    case backTab
    case backspace
    case delete
    case up, down, left, right
    case home, end
    case pageUp, pageDown
    /// Control plus a letter or one of `@ [ \ ] ^ _`, named by its lower-case letter: Ctrl-C is
    /// `.ctrl("c")`. Tab, Enter, Backspace and Escape have their own cases.
    case ctrl(Character)
    /// Alt (Meta) plus a key, which terminals send as Escape followed by that key.
    case alt(Character)
    /// F1…F63.
    case function(Int)
    /// The terminal changed size; the new size is the terminal's `size`.
    case resize
    /// A key code this decoder does not name (raw ncurses code or character value).
    case unknown(Int32)
}

/// What ncurses' `wget_wch` delivered: a character, or a key code when it returned `KEY_CODE_YES`.
public enum RawKeyInput: Hashable, Sendable {
    case character(UInt32)
    case keyCode(Int32)
}

extension Key: CustomStringConvertible {
    /// The key as a person would name it, in tmux's spelling where there is one (`C-c`, `M-x`,
    /// `S-Tab`, `PgDn`), for hint bars, logs and test output.
    public var description: String {
        switch self {
        case .char(" "): "Space"
        case .char(let character): String(character)
        case .enter: "Enter"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "S-Tab"
        case .backspace: "Backspace"
        case .delete: "Del"
        case .up: "Up"
        case .down: "Down"
        case .left: "Left"
        case .right: "Right"
        case .home: "Home"
        case .end: "End"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .ctrl(let character): "C-\(character)"
        case .alt(let character): "M-\(character)"
        case .function(let number): "F\(number)"
        case .resize: "Resize"
        case .unknown(let code): "Unknown(\(code))"
        }
    }
}
