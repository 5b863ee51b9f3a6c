import CNcurses

/// Turns raw `wget_wch` results into `Key`s. Pure and incremental: the terminal feeds every raw
/// input and calls `flush()` when no more input is waiting.
///
/// ncurses (with `keypad` on) already turns known escape sequences into key codes and, after
/// `set_escdelay`, returns a lone Escape as character 27. Escape followed at once by another key
/// is how terminals send Alt; the decoder holds an Escape until it sees what follows it.
/// Only ncurses' key-code constants are used here; nothing calls into ncurses.
public struct KeyDecoder: Hashable, Sendable {
    private var escapePending = false

    public init() {}

    /// True while an Escape waits to learn whether it starts an Alt combination.
    public var isHoldingEscape: Bool { escapePending }

    public mutating func feed(_ input: RawKeyInput) -> [Key] {
        let key = Self.decode(input)
        guard escapePending else {
            if key == .escape {
                escapePending = true
                return []
            }
            return [key]
        }
        escapePending = false
        switch key {
        case .char(let character): return [.alt(character)]
        case .escape:
            escapePending = true
            return [.escape]
        default: return [.escape, key]
        }
    }

    /// No more input is waiting: a held Escape was a plain Escape.
    public mutating func flush() -> [Key] {
        guard escapePending else { return [] }
        escapePending = false
        return [.escape]
    }

    /// One raw input on its own, without the Escape/Alt pairing.
    public static func decode(_ input: RawKeyInput) -> Key {
        switch input {
        case .character(let value): decodeCharacter(value)
        case .keyCode(let code): decodeKeyCode(code)
        }
    }

    static func decodeCharacter(_ value: UInt32) -> Key {
        switch value {
        case 9: return .tab
        case 10, 13: return .enter  // nonl() makes Enter arrive as CR; LF stays Enter too
        case 27: return .escape
        case 8, 127: return .backspace  // ^H and DEL: terminals send either for Backspace
        case 0: return .ctrl("@")
        case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(value) + 0x60)))
        case 28...31: return .ctrl(Character(Unicode.Scalar(UInt8(value) + 0x40)))
        case 0x80..<0xA0: return .unknown(Int32(value))
        default:
            guard let scalar = Unicode.Scalar(value) else { return .unknown(Int32(bitPattern: value)) }
            return .char(Character(scalar))
        }
    }

    static func decodeKeyCode(_ code: Int32) -> Key {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME, KEY_A1: return .home
        case KEY_END, KEY_C1: return .end
        case KEY_PPAGE, KEY_A3: return .pageUp
        case KEY_NPAGE, KEY_C3: return .pageDown
        case KEY_BTAB: return .backTab
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_ENTER: return .enter
        case KEY_RESIZE: return .resize
        case (KEY_F0 + 1)...(KEY_F0 + 63): return .function(Int(code - KEY_F0))
        default: return .unknown(code)
        }
    }
}
