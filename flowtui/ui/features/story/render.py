"""How a story looks: Rich text built from literal strings, no widgets, no Textual state.

Kept apart from the screens so the pictures can be checked without running an app, and so
the screens hold only behaviour. Every value from a record passes through ``literal``
(control characters escaped); nothing here builds markup strings. Meaning never rests on a
colour alone: the verdict is its code, differences carry a mark, and the timeline's ACCEPT
and REJECT cells are different glyphs (``STRIP_LEGEND``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.table import Table
from rich.text import Text

from flowtui.decoders import as_int, display_value
from flowtui.names.story import side_text
from flowtui.query.flow import Flow
from flowtui.query.story import Conversation, Sighting, Story, Tally, Window
from flowtui.ui.widgets.safe import literal

#: How each verdict reads at a glance (the code itself is always shown beside it).
VERDICT_SUMMARY = {
    "nacl-blocks-reply": "one direction ACCEPTed, the other REJECTed: a network ACL",
    "blocked-by-bpa": "VPC Block Public Access refused it",
    "rejected": "REJECTed, and nothing of this flow ACCEPTed",
    "rejected-after-close": "REJECTed after the connection closed: not a rule",
    "no-reply-seen": "ACCEPTed, no reply in the loaded data",
    "ok": "request and reply both ACCEPTed",
    "incomplete": "the loaded data can't settle it",
}
#: The verdict's class on the screen: what the stylesheet colours (never the only cue).
VERDICT_CLASS = {
    "ok": "-ok", "rejected-after-close": "-ok",
    "nacl-blocks-reply": "-bad", "blocked-by-bpa": "-bad", "rejected": "-bad",
    "no-reply-seen": "-unsure", "incomplete": "-unsure",
}

# Timeline cells: one glyph per kind, so ACCEPT and REJECT differ without colour.
ACCEPT_CELL, REJECT_CELL, BOTH_CELL, EMPTY_CELL = "█", "░", "▓", "·"
#: Records whose action is '-' (a Transit Gateway flow log has no action field, reference
#: §7): recorded, so never the "none" cell, and neither ACCEPT nor REJECT.
NO_ACTION_CELL = "▪"
STRIP_LEGEND = (f"{ACCEPT_CELL} ACCEPT  {REJECT_CELL} REJECT  {BOTH_CELL} both  "
                f"{EMPTY_CELL} none  N/S NODATA/SKIPDATA  ^ this record")
_TAIL = f"{EMPTY_CELL} none  N/S NODATA/SKIPDATA  ^ this record"

#: Fields whose record and reply values are expected to be each other's (a reply swaps them).
MIRRORED = {"srcaddr": "dstaddr", "dstaddr": "srcaddr", "srcport": "dstport",
            "dstport": "srcport", "pkt-srcaddr": "pkt-dstaddr", "pkt-dstaddr": "pkt-srcaddr"}
SAME_MARK, DIFF_MARK, SWAP_MARK = " ", "≠", "⇄"
#: The widest a value column grows (longer values fold onto more lines).
VALUE_WIDTH = 48


#: A row with no flow (log-status NODATA or SKIPDATA) is told as ``incomplete`` (there is
#: no reply to look for), but no loading settles it: its line says what the row is.
STATUS_SUMMARY = {
    "NODATA": "a NODATA row: no flow to tell (no traffic in the interval)",
    "SKIPDATA": "a SKIPDATA row: no flow to tell (records were skipped)",
}


def verdict_summary(story: Story) -> str:
    """How the verdict reads at a glance, for this story: "the loaded data can't settle it"
    was said of a NODATA row, with every object around it loaded."""
    record = story.record
    if story.verdict == "incomplete" and not Flow.of(record).pairs:  # as story.tell
        status = record.get("log-status")
        return STATUS_SUMMARY.get(str(status), "no addresses: no flow to tell")
    return VERDICT_SUMMARY.get(story.verdict, "")


def verdict_line(story: Story) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append("verdict ", style="dim")
    line.append(literal(story.verdict), style="bold reverse")
    summary = verdict_summary(story)
    if summary:
        line.append("  " + summary)
    return line


def cell(field: str, record: Mapping[str, object] | None) -> str:
    """A field as the story shows it: decoded short form (times in UTC), literally."""
    if record is None:
        return ""
    return literal(display_value(field, record.get(field), decoded=True))


def mark(field: str, record: Mapping[str, object], other: Mapping[str, object],
         direction: str) -> str:
    """``≠`` where the two differ in a way that means something, ``⇄`` where a reply has
    the record's value on the other side (as it should), blank where they agree."""
    value = record.get(field)
    if direction == "reverse" and field in MIRRORED:
        if other.get(field) == record.get(MIRRORED[field]) and value != other.get(field):
            return SWAP_MARK
    return SAME_MARK if other.get(field) == value else DIFF_MARK


def shown_fields(columns: Sequence[str], *records: Mapping[str, object] | None) -> list[str]:
    """The columns some of ``records`` has a value for, in the store's order."""
    present = [r for r in records if r is not None]
    return [c for c in columns if any(r.get(c) is not None for r in present)]


def comparison(columns: Sequence[str], record: Mapping[str, object],
               other: Sighting | None, title: str) -> Table:
    """The record and ``other`` side by side, one field per row, differences marked."""
    table = Table(box=None, padding=(0, 1), expand=False, show_edge=False,
                  header_style="bold")
    table.add_column("field", no_wrap=True, style="dim", max_width=24)
    table.add_column("", no_wrap=True, width=1)
    table.add_column("this record", overflow="fold", min_width=12, max_width=VALUE_WIDTH)
    table.add_column(Text(title), overflow="fold", min_width=12, max_width=VALUE_WIDTH)
    theirs = other.record if other is not None else None
    for field in shown_fields(columns, record, theirs):
        mine = Text(cell(field, record))
        if theirs is None:
            table.add_row(Text(field), "", mine, Text(""))
            continue
        sign = mark(field, record, theirs, other.direction if other else "forward")
        yours = Text(cell(field, theirs))
        if sign == DIFF_MARK:
            mine.stylize("bold")
            yours.stylize("bold")
        table.add_row(Text(field), Text(sign, style="bold"), mine, yours)
    return table


def sighting_line(sighting: Sighting) -> Text:
    """One line per sighting: which, when, the tuple, action, flags, packets, and the
    interface when it is not the record's."""
    r = sighting.record
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append("← reply " if sighting.direction == "reverse" else "→ seen  ", style="bold")
    line.append(_clock(r.get("start")) + " ")
    line.append(f"{_end(r, 'src')} → {_end(r, 'dst')} ")
    action = literal(display_value("action", r.get("action"), False))
    line.append(action, style="bold" if action == "REJECT" else "")
    flags = r.get("tcp-flags")
    if flags is not None:
        line.append(" " + literal(display_value("tcp-flags", flags, True)))
    line.append(f" {literal(display_value('packets', r.get('packets'), False))}p")
    if not sighting.same_interface:
        line.append(" at " + literal(display_value("interface-id", r.get("interface-id"),
                                                   False)), style="italic")
    return line


def _end(record: Mapping[str, object], side: str) -> str:
    address = literal(display_value(f"{side}addr", record.get(f"{side}addr"), False))
    port = literal(display_value(f"{side}port", record.get(f"{side}port"), False))
    return f"{address}:{port}"


def _clock(value: object) -> str:
    number = as_int(value)
    if number is None:
        return "--:--:--"
    return datetime.fromtimestamp(number, tz=UTC).strftime("%H:%M:%S")


# ------------------------------------------------------------------------------ timeline


@dataclass(frozen=True)
class StripCell:
    """One column of the strip: one or more timeline slots merged."""

    forward: str
    reverse: str
    status: str  # "N", "S" or " "
    here: bool  # the record's own slot


def _glyph(tally: Tally) -> str:
    if tally.accept and tally.reject:
        return BOTH_CELL
    if tally.reject:
        return REJECT_CELL
    if tally.accept:
        return ACCEPT_CELL
    return NO_ACTION_CELL if tally.records else EMPTY_CELL


def strip_legend(cells: Sequence[StripCell]) -> str:
    """What the strip's glyphs mean: the usual legend, or, where records without an action
    are drawn, theirs first (alone when no ACCEPT/REJECT is drawn, so it fits 80 columns)."""
    drawn = {glyph for c in cells for glyph in (c.forward, c.reverse)}
    if NO_ACTION_CELL not in drawn:
        return STRIP_LEGEND
    mine = f"{NO_ACTION_CELL} recorded, no action  "
    if drawn & {ACCEPT_CELL, REJECT_CELL, BOTH_CELL}:
        return mine + STRIP_LEGEND
    return mine + _TAIL


def strip_cells(timeline: Sequence[Window], record_end: int | None, width: int,
                window: tuple[int, int] | None = None) -> tuple[list[StripCell], int, int]:
    """The timeline as at most ``width`` cells over its whole span and the story's
    ``window`` (empty slots included); how many seconds one cell stands for, and the
    first cell's start."""
    if not timeline or width < 1:
        return [], 0, 0
    slot = timeline[0].end - timeline[0].start or 60
    first, last = timeline[0].start, timeline[-1].start
    for moment in (record_end, *(window or ())):
        if moment is not None:
            at = moment - moment % slot
            first, last = min(first, at), max(last, at)
    slots = (last - first) // slot + 1
    per = max(1, math.ceil(slots / width))
    count = math.ceil(slots / per)
    forward = [Tally()] * count
    reverse = [Tally()] * count
    status = [" "] * count
    for each in timeline:
        at = (each.start - first) // slot // per
        forward[at] = forward[at].merged(each.forward)
        reverse[at] = reverse[at].merged(each.reverse)
        if each.status:
            status[at] = "S" if "SKIPDATA" in each.status else "N"
    here_at = ((record_end - record_end % slot - first) // slot // per
               if record_end is not None else -1)
    cells = [StripCell(_glyph(forward[i]), _glyph(reverse[i]), status[i], i == here_at)
             for i in range(count)]
    return cells, slot * per, first


def span_label(first: int, cells: int, seconds: int) -> str:
    if not cells:
        return ""
    each = f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"
    return (f"{_clock(first)[:5]}–{_clock(first + cells * seconds)[:5]} UTC, "
            f"1 cell = {each}")


# -------------------------------------------------------------------------- conversation


def _protocol(number: int | None) -> str:
    return {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6"}.get(number or -1, str(number))


def _stamp(value: object) -> str:
    number = as_int(value)
    if number is None:
        return "-"
    return datetime.fromtimestamp(number, tz=UTC).strftime("%m-%d %H:%M:%S")


def conversation_title(talk: Conversation, named: Mapping[str, str | None] | None = None
                       ) -> Text:
    """``conversation A 10.0.1.5 (web-1) ⇄ B 10.0.2.9 (db-1)  3 group(s), …``: who the two
    sides are, when names are loaded."""
    total = sum(row.records for row in talk.rows)
    a = side_text(talk.a, (named or {}).get("a"))
    b = side_text(talk.b, (named or {}).get("b"))
    title = Text(no_wrap=True, overflow="ellipsis")
    title.append("conversation ", style="dim")
    title.append(f"A {literal(a)} ⇄ B {literal(b)}", style="bold")
    title.append(f"  {len(talk.rows)} group(s), {total:,} record(s)")
    return title


def conversation_table(talk: Conversation) -> Table | Text:
    """Groups by protocol and the lower port, one row per direction (A→B, then B→A on the
    row below, which leaves the group's cells blank): records, bytes, ACCEPT and REJECT
    counts (words, not colours); the group's first and last time and interfaces.

    Why two rows: the two directions side by side made a row 105 cells wide, more than an
    80-column terminal shows, so it scrolled sideways; stacked, the same numbers fit in
    about 75, and the directions' counts line up under each other. ``last`` gives its day
    only when it is not ``first``'s."""
    if not talk.rows:
        return Text("No record between these two addresses in the loaded data.",
                    style="italic")
    table = Table(box=None, padding=(0, 1), pad_edge=False, show_edge=False,
                  header_style="bold", expand=False)
    for name in ("proto", "port", "dir", "rec", "bytes", "acc", "rej", "first (UTC)", "last",
                 "ifaces"):
        table.add_column(name, no_wrap=True,
                         justify="left" if name in ("proto", "dir", "first (UTC)", "last")
                         else "right")
    for row in talk.rows:
        for way, side in (("A→B", row.a_to_b), ("B→A", row.b_to_a)):
            group = way == "A→B"
            table.add_row(
                _protocol(row.protocol) if group else "",
                literal(display_value("port", row.port, False)) if group else "",
                way, f"{side.records:,}", side.bytes_text(), f"{side.accept:,}",
                Text(f"{side.reject:,}", style="bold" if side.reject else ""),
                _stamp(row.first) if group else "",
                _later_stamp(row.last, row.first) if group else "",
                str(row.interfaces) if group else "")
    return table


def _later_stamp(value: object, first: object) -> str:
    """``value``'s time, with its day only when it is not ``first``'s (UTC)."""
    number, since = as_int(value), as_int(first)
    if number is None or since is None or number // 86_400 != since // 86_400:
        return _stamp(value)
    return datetime.fromtimestamp(number, tz=UTC).strftime("%H:%M:%S")
