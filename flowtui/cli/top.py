"""``flowtui top``: the groups with most records, packets or bytes ("who sends most bytes to
10.0.1.10?"), one row per group, largest first."""

from __future__ import annotations

import argparse

from flowtui.cli import filtering, loading, results
from flowtui.cli import names as names_cli
from flowtui.cli.args import (
    add_engine_arguments,
    add_source_arguments,
    named_twice,
    say,
    whole_number,
    window_text,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)
    parser.add_argument("--by", required=True, metavar="FIELD[,FIELD…]",
                        help="fields to group by, e.g. srcaddr or dstaddr,dstport "
                             "(account-id and region come from the object key when the "
                             "records lack them)")
    parser.add_argument("--metric", choices=("records", "packets", "bytes"), default="bytes",
                        help="what to rank by (default: bytes); groups none of whose "
                             "records recorded it ('-') rank last")
    parser.add_argument("-n", type=whole_number(1), default=20, metavar="N",
                        help="groups to print (default: 20)")
    parser.add_argument("--format", choices=("table", "csv", "jsonl"), default="table",
                        help="output format (default: table)")
    add_engine_arguments(parser)
    names_cli.add_names_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from flowtui.query.query import UnknownField

    names = names_cli.load(args)
    if isinstance(names, int):
        return names
    try:
        by = [names_cli.column_name(name, names) for name in args.by.split(",")
              if name.strip()]
    except UnknownField as exc:
        say(f"--by: {exc}")
        return 2
    if not by:
        say("--by needs at least one field")
        return 2
    twice = named_twice(by)
    if twice is not None:
        say(f"--by: {twice} is named twice")
        return 2
    args.names_loaded = names  # the keeper names what it keeps (FIELD.name columns)
    query = filtering.build_query(args.where, None, args)
    if isinstance(query, int):
        return query
    if args.engine == "athena":
        if any(b.endswith(".name") for b in by):
            say("--by FIELD.name needs the local engine (names are added while loading)")
            return 2
        from flowtui.cli import athena_queries

        answer = athena_queries.top(args, by, query)
        if isinstance(answer, int):
            return answer
        with results.output(args.output) as out:
            results.write_table(answer.select([*by, "records", "packets", "bytes"]),
                               args.format, out)
        if answer.num_rows == 0:
            say(f"no record matches --where {query.where_text!r}" if query.filters
                else "no records")
        return 0
    from flowtui.query.aggregate import GroupStates, SumTooLarge, top_of, unrecorded_note

    progress = results.Progress()
    # Each batch is reduced to its groups as it arrives, reading only the columns grouped,
    # summed and filtered on: memory holds the groups, never the records. A FIELD.name is
    # read as FIELD and named while loading (--names).
    states = GroupStates(by)
    sink = results.Sink(states, by, progress)
    read = names_cli.read_as(by)
    keep = filtering.keeper(query, args)
    code = loading.load(args, sink, keep,
                       filtering.needed_columns(args, query, [*read, "packets", "bytes"]))
    progress.clear()
    if code == 2:
        return code
    lacking = [b for b in by if sink.kept and b.removesuffix(".name") not in sink.columns]
    if lacking:
        from flowtui.query.absent import lacking_words

        # Each record would be in one '-' group, read as "not applicable to this record"
        # (AWS's '-'), when the format never logs the field: no answer rather than that.
        words = lacking_words([b.removesuffix(".name") for b in lacking],
                              "every record would be in one '-' group: group by a field "
                              "they log")
        say(f"--by {','.join(lacking)}: {words}")
        return 2
    try:
        table = top_of(states.result(), by, args.metric, args.n)
    except SumTooLarge as exc:
        say(str(exc))
        return 2
    table = table.select([*by, "records", "packets", "bytes"])
    with results.output(args.output) as out:
        results.write_table(table, args.format, out)
    if keep is not None and query.filters and not keep.kept:
        say(keep.nothing_matched())
    elif table.num_rows == 0 and not (states.records or window_text(args)):
        say("no records loaded")  # (with a window, the load said what it kept)
    elif table.num_rows == 0 and states.records:
        say("no records")
    else:
        note = sink.lacking_sums() or unrecorded_note(
            states.unrecorded, states.held, families=states.unrecorded_families)
        if note:
            say(note)
    return code
