"""The compacted output draws the same screen as Textual's, in fewer bytes.

A user on SSH sees what the terminal makes of the bytes: here a small terminal emulator
(cells, cursor, SGR attributes; written independently of flowtui/ui/terminal_output.py)
reads Textual-style output and its compacted form, and the screens must be equal cell by
cell (a blank cell's foreground, bold, dim, italic and blink do not show, so they are not
compared), as must be where the cursor ends and the style the terminal is left in.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.color import ColorSystem
from rich.style import Style

from flowtui.ui.terminal_output import Compactor

WIDTH, HEIGHT = 40, 8
SHOWS_FG_ON_BLANK = {"underline", "reverse", "strike", "underline2", "overline", "frame",
                     "encircle"}
CODES = {1: "bold", 2: "dim", 3: "italic", 4: "underline", 5: "blink", 6: "blink2",
         7: "reverse", 8: "conceal", 9: "strike", 21: "underline2", 51: "frame",
         52: "encircle", 53: "overline"}
OFFS = {22: {"bold", "dim"}, 23: {"italic"}, 24: {"underline", "underline2"},
        25: {"blink", "blink2"}, 27: {"reverse"}, 28: {"conceal"}, 29: {"strike"},
        54: {"frame", "encircle"}, 55: {"overline"}}


class Terminal:
    """Just enough of a VT100 for Textual's output: CUP, SGR, text, newline."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], tuple[str, frozenset[str], str, str]] = {}
        self.row = self.col = 1
        self.attrs: set[str] = set()
        self.fg = self.bg = "default"

    def feed(self, data: str) -> None:
        for m in re.finditer(r"\x1b\[([0-9;]*)([Hm])|(\n)|([^\x1b\n]+)", data):
            params, final, lf, text = m.groups()
            if final == "H":
                row, _, col = params.partition(";")
                self.row, self.col = int(row or 1), int(col or 1)
            elif final == "m":
                self.sgr([int(c) if c else 0 for c in params.split(";")] if params else [0])
            elif lf:
                self.row, self.col = self.row + 1, 1  # the pty's ONLCR
            else:
                for char in text:
                    self.cells[(self.row, self.col)] = (char, frozenset(self.attrs), self.fg,
                                                        self.bg)
                    self.col += cell_len(char)

    def sgr(self, codes: list[int]) -> None:
        i = 0
        while i < len(codes):
            code = codes[i]
            i += 1
            if code == 0:
                self.attrs, self.fg, self.bg = set(), "default", "default"
            elif code in CODES:
                self.attrs.add(CODES[code])
            elif code in OFFS:
                self.attrs -= OFFS[code]
            elif code in (38, 48):
                n = 2 if codes[i] == 5 else 4
                color = ":".join(map(str, codes[i:i + n]))
                i += n
                if code == 38:
                    self.fg = color
                else:
                    self.bg = color
            elif code == 39:
                self.fg = "default"
            elif code == 49:
                self.bg = "default"
            elif 30 <= code <= 37 or 90 <= code <= 97:
                self.fg = str(code)
            elif 40 <= code <= 47 or 100 <= code <= 107:
                self.bg = str(code)
            else:
                raise AssertionError(f"SGR {code} not emulated")

    def screen(self) -> dict[tuple[int, int], tuple[object, ...]]:
        seen: dict[tuple[int, int], tuple[object, ...]] = {}
        for at, (char, attrs, fg, bg) in self.cells.items():
            if char == " " and not attrs & SHOWS_FG_ON_BLANK:
                seen[at] = (char, attrs & SHOWS_FG_ON_BLANK, bg)
            else:
                seen[at] = (char, attrs, fg, bg)
        return seen

    def state(self) -> tuple[object, ...]:
        return (self.row, self.col, frozenset(self.attrs), self.fg, self.bg)


def textual_write(pieces: list[tuple[int, int, list[tuple[str, Style]]]]) -> str:
    """Lines as Textual's compositor writes them: a move, each segment as Rich renders it
    (style, text, reset), a move to the line's end and a newline between lines."""
    out = []
    for n, (row, col, segments) in enumerate(pieces):
        out.append(f"\x1b[{row};{col}H")
        for text, style in segments:
            out.append(style.render(text, color_system=ColorSystem.EIGHT_BIT))
            col += cell_len(text)
        if n < len(pieces) - 1:
            out.append(f"\x1b[{row};{col}H\n")
    return "".join(out)


COLOURS = st.sampled_from([None, "color(253)", "color(233)", "color(214)", "red",
                           "bright_blue", "#102030"])
STYLES = st.builds(lambda fg, bg, bold, dim, italic, underline, reverse, strike: Style(
    color=fg, bgcolor=bg, bold=bold or None, dim=dim or None, italic=italic or None,
    underline=underline or None, reverse=reverse or None, strike=strike or None),
    COLOURS, COLOURS, st.booleans(), st.booleans(), st.booleans(), st.booleans(),
    st.booleans(), st.booleans())
SEGMENTS = st.lists(st.tuples(st.sampled_from(["  ", "ab", "│", "…", " 10.5.1.9 ", "x"]),
                              STYLES), min_size=1, max_size=6)
PIECES = st.lists(st.tuples(st.integers(1, HEIGHT), st.integers(1, 12), SEGMENTS),
                  min_size=1, max_size=6)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(frames=st.lists(PIECES, min_size=1, max_size=3))
def test_the_compacted_output_draws_the_same_screen_in_no_more_bytes(
        frames: list[list[tuple[int, int, list[tuple[str, Style]]]]]) -> None:
    plain, compacted = Terminal(), Terminal()
    compactor = Compactor()
    for pieces in frames:  # one write each, as Textual writes a frame
        data = textual_write(pieces)
        out = compactor.compact(data)
        assert len(out) <= len(data)
        plain.feed(data)
        compacted.feed(out)
        assert compacted.screen() == plain.screen()
        assert compacted.state() == plain.state()


def test_a_table_row_costs_fewer_escape_codes() -> None:
    """A row as the table draws it (border, marker, cells in one style, a scrollbar cell):
    one move, each style change once, and no move to where the cursor already is."""
    border = Style(color="color(214)", bgcolor="color(233)")
    row = Style(color="color(253)", bgcolor="color(233)")
    bar = Style(color="color(253)", bgcolor="color(16)")
    data = textual_write([(3, 37, [("│", border), ("  10.5.7.192   123", row), ("  ", bar)]),
                          (4, 37, [("│", border), ("  10.5.1.42    443", row), ("  ", bar)])])
    out = Compactor().compact(data)
    assert out.count("\x1b[3;37H") == 1 and "\x1b[3;57H" not in out and "\n" not in out
    assert len(out) < 0.75 * len(data), (len(out), len(data))


def test_what_it_does_not_model_passes_through_unchanged() -> None:
    """Modes, a clipboard OSC 52 and a curly underline reach the terminal byte for byte."""
    data = ("\x1b[?2026h\x1b]52;c;aGVsbG8=\x07\x1b[4:3mx\x1b[0m\x1b[?25l\x1b[?1049l"
            "\x1b[1;2H\x1b[?2026l")
    out = Compactor().compact(data)
    for part in ("\x1b[?2026h", "\x1b]52;c;aGVsbG8=\x07", "\x1b[4:3m", "\x1b[?25l",
                 "\x1b[?1049l", "\x1b[1;2H", "\x1b[?2026l"):
        assert part in out
