"""Fewer bytes for the same screen: what the app writes to the terminal, compacted.

Over SSH every byte of a repaint is paid for, and Textual spends most of them on escape
codes: each run of one style is its whole SGR sequence, the text and a reset
(``ESC[38;5;253;48;5;233m`` text ``ESC[0m``, ~25 bytes around a cell or two), the cursor is
moved before every piece of a line even where it already is, and each line of an update ends
with a newline that the next move makes pointless. At 160x48 that was half of a PgDn.

:func:`compact` rewrites one write at a time, so the terminal ends up showing exactly what it
would have: a style is sent as the change from the terminal's current one (or as a reset and
the style, whichever is shorter) and only when text is written; a move to where the cursor
already is is dropped, as is a newline followed by a move; blank text keeps the attributes
that do not show on a blank (foreground, bold, dim, italic, blink) from the text before it.
Whatever it does not parse passes through unchanged, after the style it owes. The app's
driver writes through it (:func:`compact_driver`); ``FLOWTUI_RAW_OUTPUT=1`` turns it off.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from textual.app import App
from textual.driver import Driver

#: SGR attribute codes that switch something on, and the code that switches each off (22
#: turns off bold and dim together, 24 both underlines, 25 both blinks, 54 frame and circle).
ON_OFF = {1: 22, 2: 22, 3: 23, 4: 24, 5: 25, 6: 25, 7: 27, 8: 28, 9: 29, 21: 24, 51: 54,
          52: 54, 53: 55}
OFF_CLEARS = {22: {1, 2}, 23: {3}, 24: {4, 21}, 25: {5, 6}, 27: {7}, 28: {8}, 29: {9},
              54: {51, 52}, 55: {53}}
#: Attributes that leave a blank cell looking the same, and those drawn in the foreground
#: colour on a blank (then the foreground shows too).
INVISIBLE_ON_BLANK = frozenset({1, 2, 3, 5, 6})
FOREGROUND_ON_BLANK = frozenset({4, 7, 9, 21, 51, 52, 53})

TOKEN = re.compile(r"\x1b\[([0-?]*)([ -/]*)([@-~])|(\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?)"
                   r"|(\x1b.?)|([^\x00-\x1f\x7f-\x9f]+)|(\n)|([\x00-\x1f\x7f-\x9f])", re.S)


@dataclass(frozen=True)
class Sgr:
    """The terminal's character attributes: on-codes, foreground and background params."""

    attrs: frozenset[int] = frozenset()
    fg: tuple[str, ...] = ()
    bg: tuple[str, ...] = ()

    def params(self) -> list[str]:
        return [str(a) for a in sorted(self.attrs)] + list(self.fg) + list(self.bg)


DEFAULT = Sgr()


def apply_sgr(params: str, state: Sgr | None) -> Sgr | None:
    """``state`` after ``ESC[params m``; None when unknown (a code this does not model, or a
    change to a state that was not known)."""
    codes = params.split(";") if params else ["0"]
    if any(not c.isdigit() for c in codes if c):
        return None
    attrs = set(state.attrs) if state is not None else None
    fg = state.fg if state is not None else ()
    bg = state.bg if state is not None else ()
    i = 0
    while i < len(codes):
        code = int(codes[i]) if codes[i] else 0
        i += 1
        if code == 0:
            attrs, fg, bg = set(), (), ()
            continue
        if attrs is None:
            return None  # a change to an unknown state
        if code in ON_OFF:
            attrs.add(code)
        elif code in OFF_CLEARS:
            attrs -= OFF_CLEARS[code]
        elif 30 <= code <= 37 or 90 <= code <= 97:
            fg = (str(code),)
        elif 40 <= code <= 47 or 100 <= code <= 107:
            bg = (str(code),)
        elif code == 39:
            fg = ()
        elif code == 49:
            bg = ()
        elif code in (38, 48):
            kind = codes[i] if i < len(codes) else ""
            size = {"5": 2, "2": 4}.get(kind)
            if size is None or i + size > len(codes):
                return None
            color = (str(code), *codes[i:i + size])
            i += size
            if code == 38:
                fg = color
            else:
                bg = color
        else:
            return None
    if attrs is None:
        return None
    return Sgr(frozenset(attrs), fg, bg)


def transition(actual: Sgr | None, target: Sgr) -> str:
    """The shortest SGR sequence that takes the terminal from ``actual`` to ``target``."""
    reset = ";".join(["0", *target.params()]) if target != DEFAULT else "0"
    if actual is None:
        return f"\x1b[{reset}m"
    codes: list[str] = []
    kept = set(actual.attrs)
    for off in sorted({ON_OFF[a] for a in actual.attrs - target.attrs}):
        codes.append(str(off))
        kept -= OFF_CLEARS[off]
    codes += [str(a) for a in sorted(target.attrs - kept)]
    if target.fg != actual.fg:
        codes += list(target.fg) or ["39"]
    if target.bg != actual.bg:
        codes += list(target.bg) or ["49"]
    diff = ";".join(codes)
    return f"\x1b[{diff if len(diff) < len(reset) else reset}m"


def _for_blank(actual: Sgr | None, target: Sgr) -> Sgr:
    """What blank text needs: ``target``, with what does not show on a blank as it is."""
    if actual is None or (target.attrs | actual.attrs) & FOREGROUND_ON_BLANK:
        return target
    return Sgr((target.attrs - INVISIBLE_ON_BLANK) | (actual.attrs & INVISIBLE_ON_BLANK),
               actual.fg, target.bg)


class Compactor:
    """Rewrites what one app writes; the style it last asked for carries over writes."""

    def __init__(self) -> None:
        self.wanted: Sgr | None = None  # the style the app's stream has set
        self.actual: Sgr | None = None  # the terminal's, as far as this has written

    def compact(self, data: str) -> str:
        out: list[str] = []
        position: tuple[int, int] | None = None  # (row, column), 1-based; None: unknown
        newline = False  # a newline held back: dropped if a move follows

        def settle() -> None:
            nonlocal newline
            if self.wanted is not None and self.actual != self.wanted:
                out.append(transition(self.actual, self.wanted))
                self.actual = self.wanted
            if newline:
                out.append("\n")
                newline = False

        for match in TOKEN.finditer(data):
            params, intermediate, final, _osc, escape, text, lf, _control = match.groups()
            if text is not None:
                if newline:
                    out.append("\n")
                    newline = False
                    position = None
                wanted = self.wanted
                if wanted is not None:
                    need = _for_blank(self.actual, wanted) if not text.strip(" ") else wanted
                    if need != self.actual:
                        out.append(transition(self.actual, need))
                        self.actual = need
                out.append(text)
                if position is not None:
                    position = (position[0], position[1] + cell_len(text))
                continue
            if lf is not None:
                if newline:
                    out.append("\n")
                newline = True
                position = None
                continue
            if final == "m" and not intermediate and params is not None \
                    and not params.startswith(("?", "<", "=", ">", "!")):
                wanted = apply_sgr(params, self.wanted)
                if wanted is None:  # not modelled: sent as it is, the state unknown
                    settle()
                    out.append(match.group(0))
                    self.actual = None
                self.wanted = wanted
                continue
            if final == "H" and not intermediate and params is not None \
                    and re.fullmatch(r"(\d*)(;\d*)?", params):
                row, _, column = params.partition(";")
                target = (int(row or 1), int(column or 1))
                newline = False  # the move makes it pointless
                if target != position:
                    out.append(match.group(0))
                    position = target
                continue
            if final in ("h", "l") and params is not None and params.startswith("?") \
                    and not intermediate:
                out.append(match.group(0))  # a mode (cursor shown, synchronized output)
                if any(mode in ("1048", "1049") for mode in params[1:].split(";")):
                    self.actual = None  # the alternate screen saves and restores the style
                position = None
                continue
            settle()
            out.append(match.group(0))
            position = None
            if escape in ("\x1bc",) or (final == "p" and intermediate == "!"):
                self.wanted = self.actual = DEFAULT  # a full or soft reset
            elif escape == "\x1b8":
                self.actual = None  # the saved style is back
        settle()
        return "".join(out)


def compact_driver(base: type[Any]) -> type[Any]:
    """A subclass of the driver class ``base`` whose writes go through a :class:`Compactor`
    (``base`` itself when ``FLOWTUI_RAW_OUTPUT`` is set: to compare, or to rule it out)."""
    if os.environ.get("FLOWTUI_RAW_OUTPUT"):
        return base

    class CompactDriver(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._compactor = Compactor()

        def write(self, data: str) -> None:
            super().write(self._compactor.compact(data))

    CompactDriver.__name__ = CompactDriver.__qualname__ = f"Compact{base.__name__}"
    return CompactDriver


class CompactOutputApp(App[None]):
    """An app whose terminal output is compacted: the platform's driver, writing through a
    :class:`Compactor` (FlowtuiApp is one; tests through Pilot use Textual's headless
    driver and are not affected)."""

    def get_driver_class(self) -> type[Driver]:
        return compact_driver(super().get_driver_class())  # type: ignore[no-any-return]
