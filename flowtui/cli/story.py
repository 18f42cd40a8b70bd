"""``flowtui story``: why a connection failed (or worked), told from the records.

Loads the paths as ``cat`` does, picks the first ``--limit`` records ``--where`` keeps, and
tells each one's story (``flowtui.query.story``): verdict and explanation first, then the
reply, the same flow at other interfaces, the timeline, and what was not loaded. For a record
read from S3 the objects around it are listed from the key layout; ``--around`` loads them,
keeping only the story's records, before the story is told. ``--conversation A B`` prints
what two addresses said to each other instead. Data is printed literally (``printable``).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys
import textwrap
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from flowtui.cli import names as names_cli
from flowtui.cli.args import add_paths, add_window_options, field_list, say, whole_number
from flowtui.cli.loading import open_sources
from flowtui.decoders import as_int, human_bytes, tcp_flag_names
from flowtui.events import LoadEvent, ObjectDone, ObjectFailed
from flowtui.loader import Loader
from flowtui.names import story as names_story
from flowtui.query.advice import has_ports, protocol_name
from flowtui.query.conversation import Conversation
from flowtui.query.expr import Expr, FilterError, parse
from flowtui.query.flow import recorder_label
from flowtui.query.query import with_names
from flowtui.query.story import (
    SIGHTINGS_LIMIT,
    Coverage,
    Sighting,
    Story,
    Tally,
    Window,
)
from flowtui.s3.errors import describe
from flowtui.s3.url import is_s3_url
from flowtui.store import RecordStore
from flowtui.textsafe import printable

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

WIDTH = 100
MAX_BAD_LINES_SHOWN = 5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_paths(parser)
    parser.add_argument("--where", metavar="EXPR",
                        help="which records (the filter language: 'reject and port 22')")
    parser.add_argument("--limit", type=whole_number(1), default=1, metavar="N",
                        help="tell the story of the first N matching records (default: 1)")
    parser.add_argument("--around", action="store_true",
                        help="for records from S3, load the objects around them (the same and "
                             "the other flow logs of the account and region, for the record's "
                             "time), keeping only the story's records")
    parser.add_argument("--conversation", nargs=2, metavar=("A", "B"),
                        help="print what two addresses said to each other, by protocol and port")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text, or one JSON object per line (default: text)")
    parser.add_argument("--fields", type=field_list, metavar="FORMAT",
                        help="columns of headerless files: a LogFormat or a list")
    add_window_options(parser)
    names_cli.add_names_arguments(parser)


def run(args: argparse.Namespace) -> int:
    if args.conversation is None and not args.where:
        say("story needs --where EXPR (which record) or --conversation A B")
        return 2
    names = names_cli.load(args)
    if isinstance(names, int):
        return names
    early: Expr | None = None
    if args.where:
        try:
            early = with_names(parse(args.where), args.where, names)
        except FilterError as exc:
            if not exc.reason.startswith("unknown field"):  # may be a header column: load first
                say(f"--where: {exc}")
                return 2
    if args.conversation is not None:
        for address in args.conversation:
            try:
                ipaddress.ip_address(address)
            except ValueError:
                say(f"--conversation: not an IP address: {address!r}")
                return 2
    store = RecordStore()
    client: S3Client | None
    if "-" in args.paths:  # `zcat f.log.gz | grep … | flowtui story - --where …`
        from flowtui.cli.loading import stdin_into

        failed = stdin_into(store, args)
        if failed == 2:
            return 2
        client, loaded = None, {"-"}
    else:
        sources = open_sources(args)
        if isinstance(sources, int):
            return sources
        client, refs = sources
        if not refs:
            say(f"no flow-log objects in {', '.join(args.paths)}")
            return 2
        loaded, failed = _load(store, refs, client, args)
    if args.conversation is not None:
        return _tell_conversation(store, args, failed, names)
    # Read again on the loaded records' day: a time without a date means that day.
    from flowtui.cli.filtering import window_day
    from flowtui.query.times import ReferenceDay, day_of_data

    day = window_day(args)
    if day is None:
        data_day = day_of_data(store.batches())
        day = (ReferenceDay(data_day, "the day most of the loaded records start on")
               if data_day is not None else ReferenceDay.today())
    try:
        expr = with_names(parse(args.where, store.columns, day=day), args.where, names)
    except FilterError as exc:
        say(f"--where: {exc}")
        return 2
    del early  # checked before loading; the text is read again on the data's day
    return _tell_stories(store, expr, loaded, client, args, failed,
                         day if day.used else None, names)


def _load(store: RecordStore, refs: list[Any], client: S3Client | None, args: argparse.Namespace
          ) -> tuple[set[str], int]:
    """Everything the paths name, into ``store``; returns the objects read whole and how
    many failed (each said on stderr)."""
    done: set[str] = set()
    failed = 0

    def on_event(event: LoadEvent) -> None:
        nonlocal failed
        match event:
            case ObjectFailed(_, reason):
                failed += 1
                say(reason)
            case ObjectDone(ref, _, bad_lines, error):
                if error:
                    failed += 1
                    say(f"{ref.location}: {error}")
                else:
                    done.add(ref.location)
                for bad in bad_lines[:MAX_BAD_LINES_SHOWN]:
                    say(f"{ref.location}:{bad.line_number}: {bad.reason}: {bad.text[:120]}")
            case _:
                pass

    loader = Loader(store, client=client, concurrency=args.concurrency, fields=args.fields,
                    since=args.since, until=args.until)
    loader.run(refs, on_event, threading.Event())
    return done, failed


def _tell_stories(store: RecordStore, expr: Expr, whole: set[str], client: S3Client | None,
                  args: argparse.Namespace, failed: int, day: Any = None,
                  names: Any = None) -> int:
    from flowtui.neighbours import Loaded, load_neighbours, plan_neighbours
    from flowtui.query.query import Query
    from flowtui.query.story import tell
    from flowtui.query.view import RecordView

    view = RecordView(store, Query(where=expr, where_text=args.where))
    count = min(args.limit, len(view))
    if count == 0:
        said = f"no record matches --where {args.where} (of {len(store):,} loaded)"
        from flowtui.query.absent import absent_hint

        missing = absent_hint(expr, store.columns)
        if missing:
            said += f": {missing}"
        if day is not None:
            said += f"; a time without a date was read on {day.describe()}"
        say(said)
        return 1
    indices = [view.store_index(i) for i in range(count)]
    loaded = Loaded(full=set(whole))
    out = sys.stdout
    for number, index in enumerate(indices, start=1):
        record, source = store.row(index), store.source(index)
        coverage: Coverage | None = None
        if client is not None and is_s3_url(source):
            try:
                plan = plan_neighbours(client, source, record, loaded)
            except Exception as exc:  # a listing that failed: the story is told without it
                say(f"listing the objects around record {number}: {describe(exc)}")
                plan = None
            if plan is not None:
                coverage = plan.coverage()
                if args.around and plan.to_load:
                    result = load_neighbours(plan, store, loaded, client=client,
                                             concurrency=args.concurrency, fields=args.fields)
                    for line in result.failed:
                        say(line)
                    failed += len(result.failed)
                    coverage = result.coverage(plan)
        story = tell(store, index, coverage=coverage)
        extra = names_story.annotate(story, names) if names is not None else None
        if args.format == "json":
            out.write(_json(story.to_json() | (extra or {})) + "\n")
        else:
            write_story(out, story, number, around=args.around,
                        extra=names_story.lines(extra) if extra else ())
        out.flush()
    return 1 if failed else 0


def _tell_conversation(store: RecordStore, args: argparse.Namespace, failed: int,
                       names: Any = None) -> int:
    from flowtui.query.aggregate import SumTooLarge
    from flowtui.query.conversation import conversation

    a, b = args.conversation
    try:
        talk = conversation(store, a, b)
    except SumTooLarge as exc:
        say(str(exc))
        return 2
    named = names_story.conversation_names(talk, names) if names is not None else None
    if args.format == "json":
        sys.stdout.write(_json(talk.to_json() | ({"names": named} if named else {})) + "\n")
    else:
        write_conversation(sys.stdout, talk, named)
    return 1 if failed else 0


# --------------------------------------------------------------------------- text output


def write_story(out: TextIO, story: Story, number: int = 1, *, around: bool = False,
                extra: Sequence[str] = ()) -> None:
    r = story.record
    lines = [f"── story {number} · {printable(story.source)} " + "─" * 12,
             f"verdict  {story.verdict}"]
    lines += textwrap.wrap(printable(story.explanation), WIDTH, initial_indent="  ",
                           subsequent_indent="  ")
    for line in extra:  # names and the rule (flowtui.names.story), when --names
        lines += textwrap.wrap(printable(line), WIDTH, subsequent_indent="         ")
    lines += ["", "record"] + _table([(r, True)])
    if story.sampled:
        lines += ["", f"sampled: the {SIGHTINGS_LIMIT:,} records of this flow nearest to it in "
                      f"time, of {story.found:,} loaded (reply, elsewhere and timeline)"]
    lines += _section("reply", story.reply)
    lines += _section("elsewhere", story.elsewhere)
    lines += ["", f"timeline ({printable(recorder_label(r))}, per minute of end; "
                  "→ as the record, ← reverse)"]
    lines += ["  " + _window_line(w) for w in story.timeline] or ["  (none)"]
    lines += _note_lines(story.timeline_note())
    lines += ["", f"missing ({len(story.missing)})"]
    lines += ["  " + printable(m) for m in story.missing] or ["  (nothing: the window is loaded)"]
    if story.missing and not around and any(is_s3_url(m) for m in story.missing):
        lines.append("  (--around loads them, keeping only this story's records)")
    out.write("\n".join(lines) + "\n\n")


def _note_lines(note: str | None) -> list[str]:
    """The sums' note (``sums.unrecorded_note``) under what it is about, or nothing."""
    return textwrap.wrap(f"({note})", WIDTH, initial_indent="  ",
                         subsequent_indent="   ") if note else []


def _section(title: str, sightings: Sequence[Sighting]) -> list[str]:
    lines = ["", f"{title} ({len(sightings)})"]
    if not sightings:
        return lines + ["  (none)"]
    return lines + _table([(s.record, s.same_interface) for s in sightings])


_HEADER = ("start (UTC)", "secs", "interface-id", "srcaddr:port → dstaddr:port", "action",
           "flags", "packets", "bytes")


def _table(rows: Sequence[tuple[Mapping[str, object], bool]]) -> list[str]:
    """Aligned rows; ``pkt`` addresses that differ and another interface noted at the end."""
    cells = [list(_HEADER)]
    notes = [""]
    for r, same in rows:
        cells.append(_cells(r))
        psrc, pdst = r.get("pkt-srcaddr"), r.get("pkt-dstaddr")
        note = ""
        if psrc and pdst and (psrc, pdst) != (r.get("srcaddr"), r.get("dstaddr")):
            note = f"  pkt {_text(psrc)} → {_text(pdst)}"
        notes.append(note + ("" if same else "  [other interface]"))
    widths = [max(len(row[i]) for row in cells) for i in range(len(_HEADER))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            + note for row, note in zip(cells, notes, strict=True)]


def _cells(r: Mapping[str, object]) -> list[str]:
    start, end = as_int(r.get("start")), as_int(r.get("end"))
    seconds = str(end - start) if start is not None and end is not None else "-"
    if has_ports(r):
        path = f"{_text(r.get('srcaddr'))}:{_text(r.get('srcport'))} → " \
               f"{_text(r.get('dstaddr'))}:{_text(r.get('dstport'))}"
    else:  # ICMP and other protocols without ports: port 0 is no port
        path = f"{_text(r.get('srcaddr'))} → {_text(r.get('dstaddr'))} ({protocol_name(r)})"
    return [_stamp(start), seconds, _text(r.get("interface-id")), path,
            _text(r.get("action")), _flags(r.get("tcp-flags")), _text(r.get("packets")),
            _text(r.get("bytes"))]


def _window_line(w: Window) -> str:
    status = f"  {status_counts(w.status)}" if w.status else ""
    return f"{_stamp(w.start)[11:16]}  → {_tally(w.forward):<44} ← {_tally(w.reverse)}{status}"


def status_counts(statuses: Sequence[str]) -> str:
    """``NODATA×2 SKIPDATA×1``: the status rows of a slot counted, in first-seen order (a
    minute can hold one row per aggregation interval, so a list would repeat itself)."""
    counts: dict[str, int] = {}
    for each in statuses:
        counts[each] = counts.get(each, 0) + 1
    return " ".join(f"{printable(name)}×{n}" for name, n in counts.items())


def _tally(t: Tally) -> str:
    if not t.records:
        return "-"
    actions = []
    if t.accept:
        actions.append(f"ACCEPT×{t.accept}")
    if t.reject:
        actions.append(f"REJECT×{t.reject}")
    flags = _flags(t.flags)
    size = "- B" if t.bytes is None else human_bytes(t.bytes)
    return (f"{_text(t.packets)} pkts {size} {flags} {' '.join(actions)}").strip()


def write_conversation(out: TextIO, talk: Conversation,
                       named: Mapping[str, str | None] | None = None) -> None:
    """The groups as a table under a title naming both sides (with ``--names``, who they are)."""
    a = printable(names_story.side_text(talk.a, (named or {}).get("a")))
    b = printable(names_story.side_text(talk.b, (named or {}).get("b")))
    total = sum(row.records for row in talk.rows)
    lines = [f"conversation {a} ⇄ {b}: {len(talk.rows)} group(s), {total} record(s)"]
    if not talk.rows:
        out.write(lines[0] + "\n")
        return
    header = ["proto", "port", "A→B recs", "pkts", "bytes", "acc", "rej",
              "B→A recs", "pkts", "bytes", "acc", "rej", "first (UTC)", "last (UTC)", "ifaces"]
    rows = [header]
    for row in talk.rows:
        rows.append([_protocol(row.protocol), _text(row.port),
                     str(row.a_to_b.records), row.a_to_b.packets_text(),
                     row.a_to_b.bytes_text(), str(row.a_to_b.accept),
                     str(row.a_to_b.reject), str(row.b_to_a.records), row.b_to_a.packets_text(),
                     row.b_to_a.bytes_text(), str(row.b_to_a.accept),
                     str(row.b_to_a.reject), _stamp(row.first), _stamp(row.last),
                     str(row.interfaces)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    lines.append(f"  (A = {a}, B = {b}; port = the lower of the two ports)")
    lines += _note_lines(talk.note)
    out.write("\n".join(lines) + "\n")


def _text(value: object) -> str:
    return "-" if value is None else printable(str(value))


def _flags(value: object) -> str:
    number = as_int(value)
    if number is None:
        return "-"
    return "+".join(tcp_flag_names(number)) or "0"


def _stamp(value: object) -> str:
    number = as_int(value)
    if number is None:
        return "-"
    return datetime.fromtimestamp(number, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def _protocol(number: int | None) -> str:
    return {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6"}.get(number or -1, _text(number))


def _json(value: object) -> str:
    """JSON that is also terminal-safe: C1 controls, DEL and line separators escaped."""
    text = json.dumps(value, ensure_ascii=False)
    return "".join(f"\\u{ord(c):04x}" if "\x7f" <= c <= "\x9f" or c in "\u2028\u2029" else c
                   for c in text)
