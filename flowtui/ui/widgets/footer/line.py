"""The footer: the keys that act now, drawn as one line by one widget.

Textual's ``Footer`` recomposes a ``FooterKey`` widget per key whenever the bindings change
(a focus move, a screen pushed, ``refresh_bindings``): about fifteen widgets mounted, styled
and laid out again each time, which was some 40 % of the CPU of opening the app (measured
with ``bench/bench_app_start.py``). This footer reads the same bindings the same way (the
screen's ``active_bindings``, as the action table gave them and a keymap remapped them,
``check_action`` deciding what is off), draws them with the same component styles (a key,
bold, its description after it; a disabled key dim; the one under the mouse in the hover
colour), and repaints only when the line it would draw changes. A click runs the key, as
a click on a ``FooterKey`` does; the mouse wheel scrolls a line wider than the terminal,
whose keys then end in "…" (``?`` lists every key) with the command palette's key after
it, at the right end: the way to every other command is never the key cut off (at 80
columns it was, on the main screen with records loaded).

Not carried over (flowtui uses none of them): binding groups are drawn key by key, and the
palette key is docked right only when the keys do not fit (every screen here says
``show_command_palette=False``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.strip import Strip
from textual.widget import Widget

#: The action (``ui/actions.py`` id) whose key the footer keeps in sight at any width.
PINNED = "app.palette"


@dataclass(frozen=True)
class FooterItem:
    """One key as the footer shows it."""

    #: The key to simulate on a click ("question_mark").
    key: str
    #: The key as shown ("?", "^p").
    key_display: str
    description: str
    #: False: shown dim, a click rings the bell (``check_action`` said None).
    enabled: bool = True
    tooltip: str = ""
    #: Kept at the right end when the keys do not fit (the command palette's: the way to
    #: every other command, never the key cut off).
    pinned: bool = False


class KeysFooter(Widget, can_focus=False, can_focus_children=False):
    """The keys of the focused chain, one line at the bottom of its screen."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "footer-key--key", "footer-key--description", "footer-key--hover"}

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        #: What is drawn now (the bindings' order, one item per action).
        self.items: tuple[FooterItem, ...] = ()
        #: The line of every item, and the line without the pinned one (drawn apart when
        #: the keys do not fit), cached until something changes: (strip, item spans) where
        #: a span is (item index, first cell, end cell) in that line.
        self._lines: dict[bool, tuple[Strip, list[tuple[int, int, int]]]] = {}
        self._hover: int | None = None
        self._offset = 0  # cells scrolled off to the left (mouse wheel)
        self._update_queued = False

    # ------------------------------------------------------------ the keys

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        """As Textual's footer: not while the terminal has no focus (the focused widget is
        blurred then, and the footer would flicker to the app's keys), and once after the
        burst of changes a focus move makes."""
        if not self.app.app_focus or self._update_queued:
            return
        self._update_queued = True
        self.call_after_refresh(self._update)

    def _update(self) -> None:
        self._update_queued = False
        if self.is_attached:
            self.set_items(self.current_items())

    def current_items(self) -> tuple[FooterItem, ...]:
        """The shown bindings that act now, one per action (its first key), in the order of
        the screen's ``active_bindings``: exactly what Textual's ``Footer`` composes."""
        seen: dict[str, FooterItem] = {}
        display = self.app.get_key_display
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in seen:
                seen[binding.action] = FooterItem(binding.key, display(binding),
                                                  binding.description, enabled, tooltip,
                                                  pinned=binding.id == PINNED)
        return tuple(seen.values())

    def set_items(self, items: tuple[FooterItem, ...]) -> None:
        """Show ``items``; nothing is repainted when they are what is shown."""
        if items == self.items:
            return
        self.items = items
        self._hover = None
        self._offset = 0
        self.tooltip = None
        self._changed()

    # ------------------------------------------------------------ drawing

    def _changed(self) -> None:
        self._lines = {}
        self.refresh()

    def notify_style_update(self) -> None:
        """A theme or class change: the styles of the parts are read again."""
        super().notify_style_update()
        self._lines = {}

    def _part_style(self, component: str, hovered: bool, enabled: bool) -> Style:
        style = self.get_component_rich_style(component)
        if hovered and not self.get_component_styles(component).background.a:
            style += Style(bgcolor=self.get_component_rich_style("footer-key--hover").bgcolor)
        return style + Style(dim=True) if not enabled else style

    def _whole_line(self, *, unpinned: bool = False
                    ) -> tuple[Strip, list[tuple[int, int, int]]]:
        """Every item (``unpinned``: but the pinned one), left to right, as ``FooterKey``
        draws each (key, then description, each with its component's padding), and where
        each item is in it."""
        if unpinned in self._lines:
            return self._lines[unpinned]
        key_pad = self.get_component_styles("footer-key--key").padding
        text_pad = self.get_component_styles("footer-key--description").padding
        segments: list[Segment] = []
        spans: list[tuple[int, int, int]] = []
        x = 0
        for index, item in enumerate(self.items):
            if unpinned and item.pinned:
                continue
            hovered = index == self._hover
            key = f"{' ' * key_pad.left}{item.key_display}{' ' * key_pad.right}"
            parts = [(key, self._part_style("footer-key--key", hovered, item.enabled))]
            if item.description:
                text = f"{' ' * text_pad.left}{item.description}{' ' * text_pad.right}"
                parts.append((text, self._part_style("footer-key--description", hovered,
                                                     item.enabled)))
            start = x
            for text, style in parts:
                segments.append(Segment(text, style))
                x += cell_len(text)
            spans.append((index, start, x))
        self._lines[unpinned] = Strip(segments, x), spans
        return self._lines[unpinned]

    def _pinned(self) -> tuple[Strip, int] | None:
        """The pinned item drawn alone and its index, when the keys do not fit and there is
        room for it beside the "…"."""
        line, spans = self._whole_line()
        width = self.size.width
        if not line.cell_length - self._offset > width > 1:
            return None
        for index, start, end in spans:
            if self.items[index].pinned and end - start + 2 <= width:
                return line.crop(start, end), index
        return None

    def render_line(self, y: int) -> Strip:
        line, spans = self._whole_line()
        if y != 0:
            return Strip.blank(self.size.width, self.rich_style)
        width = self.size.width
        if line.cell_length - self._offset > width > 1:
            # more keys than room: whole keys only, and the last cell before the pinned key
            # (the palette's, at the right end) says more follow (a key cut to "⏎ Filte", or
            # "esc" without its description, read as complete)
            pinned = self._pinned()
            tail = pinned[0] if pinned is not None else Strip([], 0)
            if pinned is not None:
                line, spans = self._whole_line(unpinned=True)
            room = self._offset + width - 1 - tail.cell_length
            end = max((e for _, _, e in spans if self._offset < e <= room), default=room)
            cut = line.crop(self._offset, end)
            gap = width - 1 - tail.cell_length - cut.cell_length
            pad = Strip([Segment(" " * gap + "…", self.rich_style)], gap + 1)
            return Strip.join([cut, pad, tail])
        if self._offset:
            line = line.crop(self._offset, self._offset + width)
        return line

    # ------------------------------------------------------------ the mouse

    def _item_at(self, x: int) -> int | None:
        pinned = self._pinned()
        if pinned is not None and x >= self.size.width - pinned[0].cell_length:
            return pinned[1]
        _line, spans = self._whole_line(unpinned=pinned is not None)
        x += self._offset
        for index, start, end in spans:
            if start <= x < end:
                return index
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self._item_at(event.x))

    def on_leave(self, _event: events.Leave) -> None:
        self._set_hover(None)

    def _set_hover(self, index: int | None) -> None:
        if index == self._hover:
            return
        self._hover = index
        tooltip = self.items[index].tooltip if index is not None else ""
        self.tooltip = tooltip or None
        self.styles.pointer = "pointer" if index is not None else "default"
        self._changed()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """A click on a key presses it; on a key that is off, the bell."""
        index = self._item_at(event.x)
        if index is None:
            return
        item = self.items[index]
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()

    def _scroll_by(self, cells: int, event: events.MouseEvent) -> None:
        widest = max(0, self._whole_line()[0].cell_length - self.size.width)
        offset = min(max(0, self._offset + cells), widest)
        if offset != self._offset:
            self._offset = offset
            self.refresh()
            event.stop()
            event.prevent_default()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll_by(int(self.app.scroll_sensitivity_x), event)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll_by(-int(self.app.scroll_sensitivity_x), event)
