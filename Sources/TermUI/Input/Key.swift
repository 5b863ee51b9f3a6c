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
