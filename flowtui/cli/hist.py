"""``flowtui hist``: records, packets and bytes per time bucket, ACCEPT and REJECT apart
("what happened around 14:05?"). The table format draws a bar per bucket."""

from __future__ import annotations

import argparse

from flowtui.cli import filtering, loading, results
from flowtui.cli.args import add_engine_arguments, add_source_arguments, say, window_text

BAR_WIDTH = 40
_BLOCKS = " ▏▎▍▌▋▊▉█"


def _every(text: str) -> int:
    from flowtui.query.aggregate import parse_every

    try:
        return parse_every(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)
    parser.add_argument("--every", type=_every, metavar="WIDTH",
                        help="bucket width: 1s … 1d, e.g. 30s, 1m, 5m, 1h "
                             "(default: a round width giving about 60 buckets)")
    parser.add_argument("--metric", choices=("records", "packets", "bytes"), default="records",
                        help="what the table's bar shows (default: records)")
    parser.add_argument("--format", choices=("table", "csv", "jsonl"), default="table",
                        help="output format (default: table)")
    add_engine_arguments(parser)


def run(args: argparse.Namespace) -> int:
    query = filtering.build_query(args.where, None, args)
    if isinstance(query, int):
        return query
    import pyarrow as pa

    from flowtui import arrowcompute as pc

    empty = "no records with a start time"
    note = None  # (Athena's sums are the same; its null counts are not fetched)
    if args.engine == "athena":
        from flowtui.cli import athena_queries

        if query.filters:
            empty = f"no record matches --where {query.where_text!r}"
        answer = athena_queries.hist(args, args.every, query)
        if isinstance(answer, int):
            return answer
        table, code = athena_queries.iso_times(answer), 0
    else:
        from flowtui.query.aggregate import HistogramStates, SumTooLarge, unrecorded_note

        progress = results.Progress()
        # Each batch is reduced to its buckets as it arrives, reading only the columns
        # counted and filtered on: memory holds the buckets, never the records.
        states = HistogramStates(args.every)
        sink = results.Sink(states, (), progress)
        keep = filtering.keeper(query, args)
        code = loading.load(args, sink, keep, filtering.needed_columns(
            args, query, ["start", "packets", "bytes", "action"]))
        progress.clear()
        if code == 2:
            return code
        if keep is not None and not keep.kept:
            empty = keep.nothing_matched()
        elif not states.records:
            # with a window, the load said what it kept
            empty = "" if window_text(args) else "no records loaded"
        try:
            table = states.result()
        except SumTooLarge as exc:
            say(str(exc))
            return 2
        times = pc.strftime(table.column("time"), format="%Y-%m-%dT%H:%M:%SZ")
        table = table.set_column(0, "time", times)
        note = sink.lacking_sums() or unrecorded_note(
            states.unrecorded, states.held, families=states.unrecorded_families)
    if args.format == "table":
        table = table.append_column("", pa.array(bars(table.column(args.metric).to_pylist()),
                                                 pa.string()))
    with results.output(args.output) as out:
        results.write_table(table, args.format, out)
    if table.num_rows == 0 and empty:
        say(empty)
    elif args.engine != "athena" and note and args.metric != "records":
        say(note)
    return code


def bars(values: list[int | None], width: int = BAR_WIDTH) -> list[str]:
    """Bars in eighths of a block, the largest value ``width`` blocks long; any non-zero value
    shows at least a sliver."""
    largest = max((v for v in values if v is not None), default=0)
    out = []
    for value in values:  # (None: not recorded, no bar)
        if not largest or not value:
            out.append("")
            continue
        eighths = max(1, round(value * width * 8 / largest))
        out.append("█" * (eighths // 8) + (_BLOCKS[eighths % 8] if eighths % 8 else ""))
    return out
