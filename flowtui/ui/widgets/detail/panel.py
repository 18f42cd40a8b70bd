"""The detail panel: what each field of the record under the cursor says, then what follows.

One option per field (name, raw value, decoded value, meaning, wrapped) so the user can move
to a field and copy its value; derived facts and warnings come after. Everything shown is
built as ``Text`` from literal strings, so a value like ``[red]x[/red]`` stays itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.geometry import Region
from textual.reactive import reactive
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from flowtui.explain import Explanation, explain
from flowtui.ui.actions import bindings
from flowtui.ui.widgets.safe import literal, text

NOTHING = "No record selected"
"""The panel's title while no record is explained."""


@dataclass(frozen=True)
class CopyTarget:
    """What `y` copies from the highlighted line."""

    label: str
    value: str


def record_json(record: Mapping[str, object]) -> str:
    """The record as one JSON object with typed values (null for '-').

    It goes to the clipboard, and from there into a shell: besides the C0 controls that
    JSON always escapes, C1 controls (``\\x9b`` is CSI), bidi overrides and every other
    unprintable character become ``\\uXXXX`` too. JSON escapes are lossless, so the
    values read back exactly."""
    out = json.dumps(dict(record), ensure_ascii=False, default=str)
    if out.isprintable():
        return out
    return "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in out)


class ExplainList(OptionList, inherit_bindings=False):
    """Scrollable, wrapped lines of the explanation; the highlight picks what `y` copies."""


    BINDINGS: ClassVar[list[BindingType]] = bindings("detail")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(markup=False, **kwargs)  # type: ignore[arg-type]
        self.targets: list[CopyTarget | None] = []
        self.decoded_targets: list[CopyTarget | None] = []
        self._holding = False
        self._held = False

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> ExplainList:
        if self._holding and not (regions or recompose):
            self._held = True  # repaint_changed_lines decides which lines to repaint
            if layout:  # more or fewer lines: the scroll range changes, nothing else
                super().refresh(repaint=False, layout=True)
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    @contextmanager
    def repaint_changed_lines(self) -> Iterator[None]:
        """Repaint only the visible lines whose strips differ after the block.

        Setting the options of an OptionList repaints all of it: over SSH that is the whole
        panel (several KB) per cursor move, when the next record usually differs from the
        last in a few fields. The lines on screen are drawn (``render_line``) before and
        after, and only those that changed are refreshed; a scroll repaints everything.
        More or fewer lines than before change the list's scroll range, and Textual's
        reactive for it repaints the whole list, blank lines and border included (~2 KB):
        that is held here too, and laid out without the repaint."""
        height = self.scrollable_content_region.height if self.is_mounted else 0
        offset = self.scroll_offset
        before = [self.render_line(y) for y in range(height)]
        self._holding, self._held = True, False
        try:
            yield
            # drawn while still held: drawing the new options sets the new scroll range
            after = [self.render_line(y) for y in range(height)] if self._held else []
        finally:
            self._holding = False
        if not self._held:
            return
        if not before or self.scroll_offset != offset:
            self.refresh()
            return
        width = self.size.width
        for y, (old, new) in enumerate(zip(before, after, strict=True)):
            if new != old:
                self.refresh(Region(0, y, width, 1))

    def action_toggle_meanings(self) -> None:
        """Every field's meaning, or only the highlighted one's."""
        for node in self.ancestors:
            if isinstance(node, DetailPanel):
                node.show_all_meanings = not node.show_all_meanings

    def action_copy_value(self) -> None:
        self._copy(self.targets)

    def action_copy_decoded(self) -> None:
        self._copy(self.decoded_targets)

    def _copy(self, targets: list[CopyTarget | None]) -> None:
        index = self.highlighted
        target = targets[index] if index is not None and index < len(targets) else None
        if target is None:
            self.app.notify("Nothing to copy on this line", severity="warning", markup=False)
            return
        # The clipboard gets what the screen shows: raw control characters pasted into a
        # shell could end a bracketed paste (ESC[201~) and run what follows.
        copied = literal(target.value)
        self.app.copy_to_clipboard(copied)
        shown = copied if len(copied) <= 60 else copied[:59] + "…"
        note = "" if copied == target.value else " (control characters escaped)"
        self.app.notify(f"Copied {literal(target.label)}{note}: {shown}", markup=False)


def _field_prompt(field: str, raw: str, decoded: str, meaning: str, width: int,
                  expanded: bool) -> Table | Text:
    """A field on one line (cut at the panel's edge), or, expanded, wrapped under its
    value with its meaning. Only expanded lines pay for a Rich table's layout."""
    value = Text(literal(raw), style="bold")
    if decoded and decoded != raw:
        value.append("  ")
        value.append(literal(decoded), style="italic")
    if not expanded:
        line = Text(literal(field).ljust(width) + " ")
        line.append_text(value)
        line.no_wrap = True
        line.overflow = "ellipsis"
        return line
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(width=width, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(text(field, "bold"), value)
    if meaning:
        grid.add_row("", text(meaning, "dim"))
    return grid


def _wrapped(line: Text) -> Table:
    """Text that must wrap whatever the list's no-wrap style says (warnings)."""
    grid = Table.grid(expand=True)
    grid.add_column(ratio=1)
    grid.add_row(line)
    return grid


@dataclass(frozen=True)
class _Line:
    """One option of the panel, kept so its prompt can be rebuilt (meaning shown or not)."""

    field: str
    raw: str
    decoded: str
    meaning: str


class DetailPanel(Vertical):
    """Follows the record table's cursor; can be hidden to give the table the room.

    Each field is one line (name, raw value, decoded value); inside the panel the
    highlighted field also shows what it means, or every field does after ``m``. Facts and
    warnings follow."""

    show_all_meanings: reactive[bool] = reactive(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lines: list[_Line | None] = []
        self._width = 8
        self._expanded: int | None = None
        #: Options whose prompt is built with its meaning (the rest are one line each).
        self._built_expanded: set[int] = set()
        self.record_index: int | None = None  # which record is shown (None: nothing)
        #: The message shown in place of a record (None: a record is shown).
        self._nothing: str | None = NOTHING
        # what the title is made of, for ``retitle``: the record's place, its warnings
        # count and its object
        self._place = ""
        self._warnings = 0
        self._source = ""

    def compose(self) -> ComposeResult:
        yield Static(Text(NOTHING), id="detail-title")
        yield ExplainList(id="detail-list")

    @property
    def list(self) -> ExplainList:
        return self.query_one(ExplainList)

    def _set_title(self, title: Text) -> None:
        # one line whatever it says: no layout pass for the whole screen
        self.query_one("#detail-title", Static).update(title, layout=False)

    def show_nothing(self, message: str = NOTHING) -> None:
        """No record: ``message`` over an empty list. Already shown, nothing is repainted
        (every empty view, the app's start among them, asked for it again: the panel's
        ~45 lines were drawn and sent to the terminal once more each time)."""
        if self._nothing == message:
            return
        self._nothing = message
        self._set_title(Text(message))
        self.list.clear_options()
        self.list.targets = []
        self.list.decoded_targets = []
        self._lines = []
        self._built_expanded = set()
        self.record_index = None

    def show_record(self, index: int, record: Mapping[str, object], source: str = "",
                    names: Sequence[tuple[str, str]] = (), place: str = "") -> None:
        """``names``: (field, what it is) lines for the Names section (ui/names/lines.py).
        ``place``: how the record is named (``rowsource.record_place``: its row in the
        view, its line in its object when known); else "row N"."""
        try:
            explanation = explain(record)
        except Exception as exc:  # a catalogue bug must not take the UI down
            explanation = Explanation(rows=[], facts=[], warnings=[f"cannot explain: {exc}"])
        self._place = place or f"row {index + 1:,}"
        self._warnings = len(explanation.warnings)
        self._source = source
        self._set_title(self._title())
        self._fill(explanation, names)
        self.record_index = index
        self._nothing = None

    def _title(self) -> Text:
        title = Text(literal(self._place), style="bold")
        if count := self._warnings:
            title.append(f"  {count} warning{'s' if count > 1 else ''} (below)", style="bold")
        source = self._source
        if source and " · line " not in self._place:  # the line's place names the object
            title.append("  ")
            title.append(literal(source.rpartition("/")[2] or source), style="dim")
        return title

    def retitle(self, place: str) -> None:
        """The record shown is named ``place`` now (rows came or went around it: its
        ``row N of M`` changed): the title again, the list as it is."""
        if self.record_index is None or place == self._place:
            return
        self._place = place
        self._set_title(self._title())

    def _want_expanded(self, index: int) -> bool:
        return self.show_all_meanings or (index == self.list.highlighted
                                          and self.list.has_focus)

    def _update_prompts(self, indexes: Sequence[int | None]) -> None:
        """Rebuild the prompts of these options whose meaning should now show or hide (only
        those: each rebuilt prompt makes the list lay out and draw its options again)."""
        todo = []
        for index in indexes:
            if index is None or index >= len(self._lines) or self._lines[index] is None:
                continue
            if self._want_expanded(index) != (index in self._built_expanded):
                todo.append(index)
        if not todo:
            return
        with self.list.repaint_changed_lines():
            for index in todo:
                line = self._lines[index]
                assert line is not None
                show = self._want_expanded(index)
                self._built_expanded.symmetric_difference_update({index})
                self.list.replace_option_prompt_at_index(index, _field_prompt(
                    line.field, line.raw, line.decoded, line.meaning, self._width, show))

    def _fill(self, explanation: Explanation, named: Sequence[tuple[str, str]] = ()) -> None:
        ol = self.list
        keep = ol.highlighted
        names = [r.field for r in explanation.rows] + [name for name, _ in explanation.facts]
        names += [name for name, _ in named]
        self._width = min(max((len(n) for n in names), default=8), 24)
        lines: list[_Line | None] = []
        options: list[Option] = []
        targets: list[CopyTarget | None] = []
        decoded_targets: list[CopyTarget | None] = []
        expanded: set[int] = set()

        def add_line(line: _Line, target: CopyTarget, decoded: CopyTarget) -> None:
            show = self.show_all_meanings or (len(options) == keep and ol.has_focus)
            if show:
                expanded.add(len(options))
            options.append(Option(_field_prompt(line.field, line.raw, line.decoded,
                                                line.meaning, self._width, show)))
            lines.append(line)
            targets.append(target)
            decoded_targets.append(decoded)

        def add_heading(title: str) -> None:
            options.append(Option(Text(title, style="bold underline"), disabled=True))
            lines.append(None)
            targets.append(None)
            decoded_targets.append(None)

        for row in explanation.rows:
            add_line(_Line(row.field, row.raw, row.decoded, row.meaning),
                     CopyTarget(row.field, row.raw),
                     CopyTarget(f"{row.field} (decoded)", row.decoded or row.raw))
        if named:
            add_heading("Names")
            for name, value in named:
                add_line(_Line(name, value, "", ""), CopyTarget(f"{name} name", value),
                         CopyTarget(f"{name} name", value))
        if explanation.facts:
            add_heading("Facts")
            for name, value in explanation.facts:
                add_line(_Line(name, value, "", ""), CopyTarget(name, value),
                         CopyTarget(name, value))
        if explanation.warnings:
            add_heading("Warnings")
            for warning in explanation.warnings:
                options.append(Option(_wrapped(Text.assemble(("! ", "bold"),
                                                             literal(warning)))))
                lines.append(None)
                targets.append(CopyTarget("warning", warning))
                decoded_targets.append(CopyTarget("warning", warning))
        self._lines = lines
        self._built_expanded = expanded
        self._expanded = keep
        with ol.repaint_changed_lines():
            ol.set_options(options)
            if options:
                ol.highlighted = keep if keep is not None and keep < len(options) else 0
        ol.targets = targets
        ol.decoded_targets = decoded_targets

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        previous, self._expanded = self._expanded, event.option_index
        self._update_prompts([previous, event.option_index])

    def on_descendant_focus(self) -> None:
        self._redraw_highlighted()

    def on_descendant_blur(self) -> None:
        self._redraw_highlighted()

    def _redraw_highlighted(self) -> None:
        """The highlighted field shows its meaning only while the user is in the panel."""
        self._update_prompts([self.list.highlighted])

    def watch_show_all_meanings(self) -> None:
        self._update_prompts(list(range(len(self._lines))))
