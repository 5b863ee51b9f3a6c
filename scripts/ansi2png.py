#!/usr/bin/env python3
"""Render a terminal capture (text with SGR colour escapes, as `tmux capture-pane -e -p -N`
prints it) into a PNG that looks like a terminal window.

Needs Pillow (PyPI) and DejaVu Sans Mono (Debian package fonts-dejavu-core).

    ansi2png.py CAPTURE.ans OUT.png [--cols 100] [--rows 30] [--title TEXT] [--font-size 16] [--no-chrome]

CAPTURE may be "-" for standard input. Box-drawing and block characters are drawn as shapes
rather than font glyphs, so borders join without gaps whatever the font's metrics.
"""
import argparse
import os
import re
import sys
import unicodedata

try:
    from PIL import Image, ImageDraw, ImageFont
except ImportError:
    sys.exit("ansi2png: Pillow is missing; install it into the project's venv: .venv/bin/pip install pillow")

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
FONTS = {
    "regular": "DejaVuSansMono.ttf",
    "bold": "DejaVuSansMono-Bold.ttf",
    "italic": "DejaVuSansMono-Oblique.ttf",
}
# Tried, in order, for characters the monospace font has no glyph for; missing files are skipped
# (the CJK ones come from fonts-noto-cjk or fonts-droid-fallback, if installed).
FALLBACK_FONTS = [
    FONT_DIR + "DejaVuSans.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
]

# A dark theme. Indexes 0-7 are the normal ANSI colours, 8-15 the bright ones.
ANSI = [
    (0x1d, 0x20, 0x26), (0xd0, 0x4a, 0x4a), (0x6a, 0xb0, 0x4c), (0xd1, 0xa4, 0x3a),
    (0x4f, 0x8a, 0xd1), (0xa3, 0x6a, 0xc7), (0x3a, 0xaa, 0xb0), (0xd0, 0xd4, 0xd8),
    (0x5c, 0x63, 0x70), (0xf0, 0x6c, 0x6c), (0x90, 0xd4, 0x6e), (0xf0, 0xcc, 0x62),
    (0x7a, 0xaf, 0xf0), (0xc8, 0x92, 0xe8), (0x62, 0xd6, 0xdc), (0xf4, 0xf6, 0xf8),
]
DEFAULT_FG = (0xd0, 0xd4, 0xd8)
DEFAULT_BG = (0x16, 0x19, 0x1e)
CHROME_BG = (0x2a, 0x2e, 0x35)
TITLE_FG = (0x9a, 0xa1, 0xad)

SGR = re.compile(r"\x1b\[([0-9;:]*)m")
# Any other escape sequence: CSI with another final byte, OSC, charset selection, lone ESC x.
OTHER_ESCAPE = re.compile(r"\x1b(?:\[[0-9;:?]*[@-ln-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")

# Box drawing: arms (up, down, left, right); 1 light, 2 heavy, 3 double.
BOX = {}
for chars, arms in [
    ("─┄┈╌", (0, 0, 1, 1)), ("│┆┊╎", (1, 1, 0, 0)), ("━┅┉╍", (0, 0, 2, 2)), ("┃┇┋╏", (2, 2, 0, 0)),
    ("┌╭", (0, 1, 0, 1)), ("┐╮", (0, 1, 1, 0)), ("└╰", (1, 0, 0, 1)), ("┘╯", (1, 0, 1, 0)),
    ("├", (1, 1, 0, 1)), ("┤", (1, 1, 1, 0)), ("┬", (0, 1, 1, 1)), ("┴", (1, 0, 1, 1)), ("┼", (1, 1, 1, 1)),
    ("┏", (0, 2, 0, 2)), ("┓", (0, 2, 2, 0)), ("┗", (2, 0, 0, 2)), ("┛", (2, 0, 2, 0)),
    ("┣", (2, 2, 0, 2)), ("┫", (2, 2, 2, 0)), ("┳", (0, 2, 2, 2)), ("┻", (2, 0, 2, 2)), ("╋", (2, 2, 2, 2)),
    ("═", (0, 0, 3, 3)), ("║", (3, 3, 0, 0)), ("╔", (0, 3, 0, 3)), ("╗", (0, 3, 3, 0)),
    ("╚", (3, 0, 0, 3)), ("╝", (3, 0, 3, 0)), ("╠", (3, 3, 0, 3)), ("╣", (3, 3, 3, 0)),
    ("╦", (0, 3, 3, 3)), ("╩", (3, 0, 3, 3)), ("╬", (3, 3, 3, 3)),
    ("╴", (0, 0, 1, 0)), ("╵", (1, 0, 0, 0)), ("╶", (0, 0, 0, 1)), ("╷", (0, 1, 0, 0)),
]:
    for ch in chars:
        BOX[ch] = arms

# Block elements: the filled part of the cell as fractions (x0, y0, x1, y1).
BLOCKS = {
    "█": (0, 0, 1, 1), "▀": (0, 0, 1, 0.5), "▄": (0, 0.5, 1, 1), "▌": (0, 0, 0.5, 1), "▐": (0.5, 0, 1, 1),
    "▁": (0, 0.875, 1, 1), "▂": (0, 0.75, 1, 1), "▃": (0, 0.625, 1, 1), "▅": (0, 0.375, 1, 1),
    "▆": (0, 0.25, 1, 1), "▇": (0, 0.125, 1, 1),
}
SHADES = {"░": 0.25, "▒": 0.5, "▓": 0.75}


def color256(n):
    if n < 16:
        return ANSI[n]
    if n < 232:
        n -= 16
        levels = (0, 95, 135, 175, 215, 255)
        return (levels[n // 36], levels[(n // 6) % 6], levels[n % 6])
    gray = 8 + 10 * (n - 232)
    return (gray, gray, gray)


def mix(a, b, t):
    """t of a, 1 - t of b."""
    return tuple(round(x * t + y * (1 - t)) for x, y in zip(a, b))


class Pen:
    """The SGR state. tmux's capture does not reset it at line ends, so it lives across lines."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = self.bg = None
        self.bold = self.dim = self.italic = self.underline = self.reverse = False

    def apply(self, params):
        codes = [int(p) if p else 0 for p in re.split("[;:]", params)] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 3:
                self.italic = True
            elif c == 4:
                self.underline = True
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 23:
                self.italic = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = ANSI[c - 30]
            elif 90 <= c <= 97:
                self.fg = ANSI[c - 90 + 8]
            elif c == 39:
                self.fg = None
            elif 40 <= c <= 47:
                self.bg = ANSI[c - 40]
            elif 100 <= c <= 107:
                self.bg = ANSI[c - 100 + 8]
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(codes):
                value = None
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    value = color256(codes[i + 2] % 256)
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    value = tuple(v % 256 for v in codes[i + 2:i + 5])
                    i += 4
                if c == 38:
                    self.fg = value
                else:
                    self.bg = value
            i += 1

    def colors(self):
        fg = self.fg or DEFAULT_FG
        bg = self.bg or DEFAULT_BG
        if self.reverse:
            fg, bg = bg, fg
        if self.dim:
            fg = mix(fg, bg, 0.55)
        return fg, bg


class Cell:
    __slots__ = ("char", "fg", "bg", "bold", "italic", "underline", "width")

    def __init__(self, char=" ", fg=DEFAULT_FG, bg=DEFAULT_BG, bold=False, italic=False, underline=False, width=1):
        self.char, self.fg, self.bg = char, fg, bg
        self.bold, self.italic, self.underline, self.width = bold, italic, underline, width


def char_width(ch):
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def parse(text, cols, rows):
    """Capture text -> rows x cols cells. A wide character's second cell gets width 0."""
    grid = [[Cell() for _ in range(cols)] for _ in range(rows)]
    pen = Pen()
    for y, line in enumerate(text.split("\n")[:rows]):
        line = OTHER_ESCAPE.sub("", line)
        x = 0
        position = 0
        for match in list(SGR.finditer(line)) + [None]:
            chunk = line[position:match.start() if match else len(line)]
            for ch in chunk:
                if ch < " " or ch == "\x7f":
                    continue
                width = char_width(ch)
                if width == 0:
                    if x > 0:
                        grid[y][x - 1].char += ch
                    continue
                if x + width > cols:
                    break
                fg, bg = pen.colors()
                grid[y][x] = Cell(ch, fg, bg, pen.bold, pen.italic, pen.underline, width)
                if width == 2:
                    grid[y][x + 1] = Cell("", fg, bg, width=0)
                x += width
            if match:
                pen.apply(match.group(1))
                position = match.end()
    return grid


class Fonts:
    def __init__(self, size):
        self.faces = {name: ImageFont.truetype(FONT_DIR + file, size) for name, file in FONTS.items()}
        self.fallbacks = [ImageFont.truetype(path, size) for path in FALLBACK_FONTS if os.path.exists(path)]
        regular = self.faces["regular"]
        ascent, descent = regular.getmetrics()
        self.ascent = ascent
        self.cell_width = round(regular.getlength("M"))
        self.cell_height = ascent + descent
        self.cache = {}

    def signature(self, font, ch):
        """The pixels of `ch` in `font`: equal to the no-glyph box's when the font lacks `ch`."""
        image = Image.new("L", (self.cell_width * 3, self.cell_height * 2))
        ImageDraw.Draw(image).text((0, 0), ch, font=font, fill=255)
        return image.tobytes()

    def has_glyph(self, font, ch):
        return self.signature(font, ch) != self.signature(font, "\U0010fffd")

    def for_char(self, ch, bold, italic):
        face = self.faces["bold" if bold else "italic" if italic else "regular"]
        key = (ch, bold, italic)
        if key not in self.cache:
            chosen = face
            if not self.has_glyph(face, ch[0]):
                chosen = next((f for f in self.fallbacks if self.has_glyph(f, ch[0])), face)
            self.cache[key] = chosen
        return self.cache[key]


def draw_box(draw, arms, x, y, w, h, color, light):
    """Draws the arms of a box-drawing character from the cell's centre to its edges, `light`
    pixels thick for light lines, twice that for heavy ones, two light lines for double ones."""
    up, down, left, right = arms
    cx, cy = x + (w - light) // 2, y + (h - light) // 2

    def arm(weight, vertical, start, end):
        if not weight:
            return
        thickness = 2 * light if weight == 2 else light
        offsets = (-light - 1, light + 1) if weight == 3 else (0,)
        for offset in offsets:
            if vertical:
                draw.rectangle([cx + offset, start, cx + offset + thickness - 1, end], fill=color)
            else:
                draw.rectangle([start, cy + offset, end, cy + offset + thickness - 1], fill=color)

    # Each arm reaches past the centre so corners and tees close.
    reach = 2 * light
    arm(up, True, y, cy + reach - 1)
    arm(down, True, cy, y + h - 1)
    arm(left, False, x, cx + reach - 1)
    arm(right, False, cx, x + w - 1)


def render(grid, out, font_size=16, title=None, chrome=True):
    fonts = Fonts(font_size)
    cw, ch = fonts.cell_width, fonts.cell_height
    rows, cols = len(grid), len(grid[0]) if grid else 0
    pad = 14 if chrome else 0
    bar = 30 if chrome and title is not None else 0
    width, height = cols * cw + 2 * pad, rows * ch + 2 * pad + bar
    image = Image.new("RGB", (width, height), CHROME_BG if chrome else DEFAULT_BG)
    draw = ImageDraw.Draw(image)
    if chrome:
        draw.rounded_rectangle([0, 0, width - 1, height - 1], radius=10, fill=DEFAULT_BG)
        if bar:
            draw.rounded_rectangle([0, 0, width - 1, bar + 10], radius=10, fill=CHROME_BG)
            draw.rectangle([0, bar, width - 1, bar + 10], fill=DEFAULT_BG)
            for i, dot in enumerate([(0xff, 0x5f, 0x57), (0xfe, 0xbc, 0x2e), (0x28, 0xc8, 0x40)]):
                draw.ellipse([14 + 20 * i, 9, 26 + 20 * i, 21], fill=dot)
            regular = fonts.faces["regular"]
            draw.text(((width - regular.getlength(title)) / 2, 6), title, font=regular, fill=TITLE_FG)
    top = pad + bar
    light = max(1, round(font_size / 10))
    for row, cells in enumerate(grid):
        for col, cell in enumerate(cells):
            if cell.width == 0:
                continue
            x, y = pad + col * cw, top + row * ch
            w = cw * cell.width
            if cell.bg != DEFAULT_BG:
                draw.rectangle([x, y, x + w - 1, y + ch - 1], fill=cell.bg)
            char = cell.char
            if char in BOX:
                draw_box(draw, BOX[char], x, y, cw, ch, cell.fg, light)
            elif char in BLOCKS:
                x0, y0, x1, y1 = BLOCKS[char]
                draw.rectangle([x + round(x0 * cw), y + round(y0 * ch), x + round(x1 * cw) - 1, y + round(y1 * ch) - 1], fill=cell.fg)
            elif char in SHADES:
                draw.rectangle([x, y, x + cw - 1, y + ch - 1], fill=mix(cell.fg, cell.bg, SHADES[char]))
            elif char.strip():
                draw.text((x, y), char, font=fonts.for_char(char, cell.bold, cell.italic), fill=cell.fg)
            if cell.underline:
                draw.line([x, y + fonts.ascent + 1, x + w - 1, y + fonts.ascent + 1], fill=cell.fg)
    image.save(out)
    return image.size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("capture", help="capture file, or - for standard input")
    parser.add_argument("out", help="PNG to write")
    parser.add_argument("--cols", type=int, default=100)
    parser.add_argument("--rows", type=int, default=30)
    parser.add_argument("--title", default=None, help="window title (no title bar without it)")
    parser.add_argument("--font-size", type=int, default=16)
    parser.add_argument("--no-chrome", action="store_true", help="just the cells, no window frame")
    args = parser.parse_args()
    source = sys.stdin if args.capture == "-" else open(args.capture, encoding="utf-8", errors="replace")
    with source:
        text = source.read()
    if text.endswith("\n"):
        text = text[:-1]
    size = render(parse(text, args.cols, args.rows), args.out, args.font_size, args.title, not args.no_chrome)
    print(f"{args.out}: {size[0]}x{size[1]} pixels, {args.cols}x{args.rows} cells")


if __name__ == "__main__":
    main()
