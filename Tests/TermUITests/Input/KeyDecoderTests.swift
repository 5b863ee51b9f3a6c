import CNcurses
import Testing

@testable import TermUI

@Suite struct KeyDecoderTests {
    func decode(_ inputs: [RawKeyInput]) -> [Key] {
        var decoder = KeyDecoder()
        return inputs.flatMap { decoder.feed($0) } + decoder.flush()
    }

    func ch(_ character: Character) -> RawKeyInput {
        .character(character.unicodeScalars.first!.value)
    }

    @Test func printableCharactersIncludingNonASCII() {
        #expect(
            decode([ch("q"), ch(" "), ch("é"), ch("✓"), ch("日")]) == [
                .char("q"), .char(" "), .char("é"), .char("✓"), .char("日"),
            ])
    }

    @Test func controlCharacters() {
        #expect(decode([.character(9)]) == [.tab])
        #expect(decode([.character(13)]) == [.enter])
        #expect(decode([.character(10)]) == [.enter])
        #expect(decode([.character(127)]) == [.backspace])
        #expect(decode([.character(8)]) == [.backspace])
        #expect(decode([.character(1)]) == [.ctrl("a")])
        #expect(decode([.character(3)]) == [.ctrl("c")])
        #expect(decode([.character(23)]) == [.ctrl("w")])
        #expect(decode([.character(26)]) == [.ctrl("z")])
        #expect(decode([.character(0)]) == [.ctrl("@")])
        #expect(decode([.character(28)]) == [.ctrl("\\")])
        #expect(decode([.character(31)]) == [.ctrl("_")])
    }

    @Test func invalidCodePointsAndC1ControlsAreUnknown() {
        #expect(decode([.character(0x9B)]) == [.unknown(0x9B)])
        #expect(decode([.character(0xD800)]) == [.unknown(0xD800)])
        #expect(decode([.character(0x11_0000)]) == [.unknown(0x11_0000)])
    }

    @Test func ncursesKeyCodes() {
        let expected: [(Int32, Key)] = [
            (KEY_UP, .up), (KEY_DOWN, .down), (KEY_LEFT, .left), (KEY_RIGHT, .right),
            (KEY_HOME, .home), (KEY_END, .end), (KEY_PPAGE, .pageUp), (KEY_NPAGE, .pageDown),
            (KEY_BTAB, .backTab), (KEY_BACKSPACE, .backspace), (KEY_DC, .delete), (KEY_ENTER, .enter),
            (KEY_RESIZE, .resize), (KEY_F0 + 1, .function(1)), (KEY_F0 + 12, .function(12)),
            (KEY_IC, .unknown(KEY_IC)), (KEY_F0, .unknown(KEY_F0)),
        ]
        for (code, key) in expected {
            #expect(decode([.keyCode(code)]) == [key], "key code \(code)")
        }
    }

    @Test func escapeAloneIsEscapeOnceNothingFollows() {
        var decoder = KeyDecoder()
        #expect(decoder.feed(.character(27)).isEmpty)
        #expect(decoder.isHoldingEscape)
        #expect(decoder.flush() == [.escape])
        #expect(!decoder.isHoldingEscape)
        #expect(decoder.flush().isEmpty)
    }

    @Test func escapeThenACharacterIsAlt() {
        #expect(decode([.character(27), ch("x")]) == [.alt("x")])
        #expect(decode([.character(27), ch("x"), ch("y")]) == [.alt("x"), .char("y")])
    }

    @Test func escapeThenAnotherKeyIsBothKeys() {
        #expect(decode([.character(27), .keyCode(KEY_UP)]) == [.escape, .up])
        #expect(decode([.character(27), .character(9)]) == [.escape, .tab])
        #expect(decode([.character(27), .character(27)]) == [.escape, .escape])
        #expect(decode([.character(27), .character(27), ch("b")]) == [.escape, .alt("b")])
    }
}
