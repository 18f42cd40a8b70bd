"""Group-by, top-N and the time histogram: the store's records boiled down to small tables.

Everything runs on Arrow kernels (``TableGroupBy``, ``sort_indices``) over the batches a view
or the store hands over, so ten million records reduce in a fraction of a second and the
result is a handful of rows the CLI prints and the TUI draws.

Batches from different objects carry different dictionaries (and index widths) for the
same string column; a group-by needs one dictionary per column, so the key columns are
cast to 32-bit indices and unified once (the dictionaries are thousands of values, the rows
millions). A column a batch does not have reads as null, as everywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import pyarrow as pa

from flowtui import arrowcompute as pc
from flowtui.fields import FIELDS
from flowtui.query.groupby import aggregate
from flowtui.query.sums import (
    SUM_LIMIT,
    SUMMED,
    SumTooLarge,
    check_sums,
    check_totals,
    integer_column,
    totals,
    unrecorded,
    unrecorded_note,
)

METRICS = ("records", "packets", "bytes")
#: Every group's columns after its keys.
GROUP_COLUMNS = ("records", "packets", "bytes", "first-start", "last-end", "accept", "reject")
HISTOGRAM_COLUMNS = ("time", "records", "packets", "bytes", "accept", "reject")
#: Bucket widths the histogram chooses from (seconds): 1 s to 1 day, in round steps.
BUCKETS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
           43200, 86400)
MAX_FILLED_BUCKETS = 100_000  # empty buckets are shown between the first and last up to this

_EVERY = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_STRING_KEY = pa.dictionary(pa.int32(), pa.string())

#: Counted per record, never null: records, and how many were ACCEPT and REJECT.
_COUNTED = ("records", "accept", "reject")

# ------------------------------------------------------------------------------ group-by


_AGGREGATES = {"records": ("records", "sum"), "packets": ("packets", "sum"),
               "bytes": ("bytes", "sum"), "first-start": ("start", "min"),
               "last-end": ("end", "max"), "accept": ("accept", "sum"),
               "reject": ("reject", "sum")}


def group_by(batches: Iterable[pa.RecordBatch], by: Sequence[str],
             columns: Sequence[str] = GROUP_COLUMNS) -> pa.Table:
    """One row per distinct combination of ``by`` (nulls form their own group) with records,
    packets, bytes (sums of the records that recorded them; null where none of the group's
    records did: NODATA/SKIPDATA rows and Block Public Access records carry '-', which is
    not 0), first start, last end, and how many
    records were ACCEPT and REJECT — or only the ``columns`` asked for. Rows in no
    particular order. ``SumTooLarge`` when packets or bytes add up past 64 bits."""
    batches = list(batches)
    if any(c in SUMMED for c in columns):
        check_totals(totals(batches))
    return _group_by(batches, by, columns)


def _group_by(batches: Iterable[pa.RecordBatch], by: Sequence[str],
              columns: Sequence[str]) -> pa.Table:
    """``group_by`` without the check of the sums (``GroupStates`` checks all its batches
    together)."""
    by = list(by)
    if not by:
        raise ValueError("group by at least one field")
    wanted = [c for c in GROUP_COLUMNS if c in columns]
    batches = [b for b in batches if b.num_rows]
    keys = {name: _key_column(batches, name) for name in by}
    data = {f"k{i}": keys[name] for i, name in enumerate(by)}
    data |= _measures(batches, {_AGGREGATES[c][0] for c in wanted})
    table = pa.table(data)
    grouped = aggregate(table, [f"k{i}" for i in range(len(by))],
                        [_AGGREGATES[c] for c in wanted])
    out: dict[str, pa.Array | pa.ChunkedArray] = {}
    for i, name in enumerate(by):
        column = grouped.column(f"k{i}")
        if pa.types.is_dictionary(column.type):
            column = pc.cast(column, column.type.value_type)
        out[name] = column
    for name in wanted:
        column = grouped.column("_".join(_AGGREGATES[name]))
        if name in _COUNTED:
            column = pc.cast(pc.fill_null(column, 0), pa.uint64())
        elif name in SUMMED:
            column = pc.cast(column, pa.uint64())  # (null: not recorded by any record)
        out[name] = column
    return pa.table(out).combine_chunks()


#: Partial states held before they are merged into one (rows, or twice the last merge's):
#: merging costs a group-by of the states, so it waits until they are several. Not many
#: more: a state lives until the merge, so with few groups (4k sources in a day folder)
#: 65k rows were the states of the whole load, kept to its end. With 8k, and fewer
#: batches held (``GROUP_BATCHES``), `top` of an S3 day folder (bench_peers_s3.py) peaked
#: 3.6 MB lower (97.6 against 101.2 MiB) and `hist` 2.8 MB lower, at 1.01x CPU (farm-bench,
#: 5-7 pairs, load 6-8); doubling keeps the merges' work linear in the groups when they
#: are many.
MERGE_ROWS = 1 << 13
#: Records held (only the columns the question reads) before they are reduced to a state
#: together. A group-by costs about a millisecond per call whatever its size (an Acero plan
#: is set up and torn down), so reducing each parse block of ~18k records on its own was
#: two thirds of ``hist``'s aggregation on 3M records. Not many more: reducing them takes
#: several times their size while it runs (keys unified, columns joined, Acero's hash
#: tables), and each reduction leaves holes in the heap that later ones do not fill:
#: 65k records at a time against 262k, ``hist`` of 3M records peaked 132 MB against 153,
#: at 1-2 % more CPU (farm-bench, 5 pairs); from an S3 day folder, 139 MB against 163.
GROUP_ROWS = 1 << 16
#: Batches held before they are reduced, whatever their rows. Each batch carries its own
#: dictionaries (one per parse block), which the reduction unifies: a folder of small
#: objects (an S3 day folder: 3.5k records per 5-minute object) held 19 batches and their
#: 19 dictionaries to reach ``GROUP_ROWS``; a large object's blocks reach it in 4.
GROUP_BATCHES = 5
_SUMS = ("records", "packets", "bytes", "accept", "reject")


class _States:
    """Partial states (tables of sums) kept as batches arrive and merged when they pile up:
    past ``MERGE_ROWS`` rows, or twice the rows of the last merge (``_merged`` says how).
    Batches are first held until they reach ``GROUP_ROWS`` records (or ``GROUP_BATCHES``
    batches) and reduced together (``_reduce``)."""

    def __init__(self) -> None:
        self.records = 0
        self._totals = dict.fromkeys(SUMMED, 0.0)  # of every batch held: see ``_check``
        #: Records held without packets, and without bytes (``unrecorded``).
        self.unrecorded = dict.fromkeys(SUMMED, 0)
        #: The format families of the records among them ("vpc", "tgw", "unknown"): what
        #: ``unrecorded_note`` names as the causes of their '-'.
        self.unrecorded_families: set[str] = set()
        self.held = 0  # records summed (a histogram leaves out those without a start)
        self._states: list[pa.Table] = []
        self._rows = 0
        self._merged_rows = 0
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0

    def _hold(self, batch: pa.RecordBatch, family: str) -> None:
        for name, total in totals([batch]).items():
            self._totals[name] += total
        for name, count in unrecorded([batch]).items():
            self.unrecorded[name] += count
            if count:
                self.unrecorded_families.add(family)
        self.held += batch.num_rows
        self._pending.append(batch)
        self._pending_rows += batch.num_rows
        if self._pending_rows >= GROUP_ROWS or len(self._pending) >= GROUP_BATCHES:
            self._flush()

    def _check(self) -> None:
        """``SumTooLarge`` when the packets or bytes of all the batches add up past 64 bits
        (each state's sums, and their merge, would have wrapped)."""
        check_totals(self._totals)

    def _flush(self) -> None:
        """Reduce the held batches to one state."""
        if self._pending:
            pending, self._pending, self._pending_rows = self._pending, [], 0
            self._keep(self._reduce(pending))

    def _reduce(self, batches: list[pa.RecordBatch]) -> pa.Table:
        raise NotImplementedError

    def _keep(self, state: pa.Table) -> None:
        self._states.append(state)
        self._rows += state.num_rows
        if self._rows > max(MERGE_ROWS, 2 * self._merged_rows) and len(self._states) > 1:
            self._states = [self._merged()]
            self._rows = self._merged_rows = self._states[0].num_rows

    def _merged(self) -> pa.Table:
        raise NotImplementedError


class GroupStates(_States):
    """``group_by`` fed one batch at a time, holding only each batch's groups.

    A question such as ``top`` needs the sums per group, not the records: each batch is
    reduced to its groups as it arrives (``add``), the reductions are merged when they pile
    up, and ``result`` is what ``group_by`` over all the batches gives, so memory grows with
    the number of groups, not of records. Only sums (records, packets, bytes, accept,
    reject) are kept this way.
    """

    def __init__(self, by: Sequence[str], columns: Sequence[str] = ("records", "packets",
                                                                    "bytes")) -> None:
        self.by = list(by)
        if not self.by:
            raise ValueError("group by at least one field")
        self.columns = [c for c in GROUP_COLUMNS if c in columns]
        if any(c not in _SUMS for c in self.columns):
            raise ValueError(f"only sums can be merged: {', '.join(_SUMS)}")
        super().__init__()

    def add(self, batch: pa.RecordBatch, family: str = "unknown") -> None:
        """``family``: the format family of the batch's object (``fields.detect_family``)."""
        if not batch.num_rows:
            return
        self.records += batch.num_rows
        self._hold(batch, family)

    def _reduce(self, batches: list[pa.RecordBatch]) -> pa.Table:
        return _group_by(batches, self.by, self.columns)

    def result(self) -> pa.Table:
        self._check()
        self._flush()
        if not self._states:
            return _group_by([], self.by, self.columns)
        return self._merged()

    def _merged(self) -> pa.Table:
        table = _concat(self._states)
        keys = [f"k{i}" for i in range(len(self.by))]
        table = table.rename_columns(keys + self.columns)
        grouped = aggregate(table, keys, [(c, "sum") for c in self.columns])
        out = {name: grouped.column(key) for name, key in zip(self.by, keys, strict=True)}
        out |= {c: pc.cast(grouped.column(f"{c}_sum"), pa.uint64()) for c in self.columns}
        return pa.table(out).combine_chunks()


def _concat(tables: list[pa.Table]) -> pa.Table:
    """States of several batches as one table (a key column typed differently by batches
    that lack it reads as text)."""
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        names = tables[0].schema.names
        return pa.concat_tables([
            pa.table({n: t.column(n) if pa.types.is_unsigned_integer(t.column(n).type)
                      and n in ("records", "packets", "bytes", "accept", "reject")
                      else pc.cast(t.column(n), pa.string()) for n in names})
            for t in tables])


def top(batches: Iterable[pa.RecordBatch], by: Sequence[str], metric: str = "bytes",
        n: int | None = 20) -> pa.Table:
    """The ``n`` groups with most ``metric`` (any of ``GROUP_COLUMNS``), largest first; ties
    in key order, so the answer does not depend on load order."""
    if metric not in GROUP_COLUMNS:
        raise ValueError(f"unknown metric {metric!r}: use one of {', '.join(GROUP_COLUMNS)}")
    return top_of(group_by(batches, by, ("records", "packets", "bytes", metric)), list(by),
                  metric, n)


def top_of(groups: pa.Table, by: Sequence[str], metric: str, n: int | None) -> pa.Table:
    sort_keys = [(metric, "descending")] + [(name, "ascending") for name in by]
    order = pc.sort_indices(groups, sort_keys=sort_keys)  # nulls last
    if n is not None:
        order = order.slice(0, n)
    return pc.take(groups, order)


# ----------------------------------------------------------------------------- histogram


def parse_every(text: str) -> int:
    """``30s``, ``1m``, ``5m``, ``1h``, ``1d`` (or plain seconds) → seconds, 1 s … 1 day."""
    m = _EVERY.match(text) if len(text) <= 12 else None  # (and no 5,000-digit int())
    if not m:
        shown = text if len(text) <= 12 else text[:12] + "…"
        raise ValueError(f"not a bucket width: {shown!r} (use 30s, 1m, 5m, 1h, 1d)")
    seconds = int(m.group(1)) * _UNIT[m.group(2).lower()]
    if not 1 <= seconds <= 86400:
        raise ValueError(f"bucket width must be between 1s and 1d, not {text!r}")
    return seconds


def choose_bucket(first: int, last: int, target: int = 60) -> int:
    """The narrowest round width that covers ``first``..``last`` in at most ``target``
    buckets (a day at most)."""
    span = max(last - first + 1, 1)
    for width in BUCKETS:
        if span / width <= target:
            return width
    return BUCKETS[-1]


def histogram(batches: Iterable[pa.RecordBatch], every: int | None = None, *,
              target: int = 60, fill: bool = True) -> pa.Table:
    """Records, packets, bytes, ACCEPT and REJECT counts per time bucket of ``start``.

    ``time`` is each bucket's start (UTC timestamps, seconds); records without a start are
    left out. ``every`` (seconds) or else a round width for about ``target`` buckets. With
    ``fill``, buckets with nothing in them appear as zeros between the first and the last, so
    a gap shows as a gap."""
    batches = [b for b in batches if b.num_rows and "start" in b.schema.names]
    check_totals(totals(batches))
    starts = pc.cast(_integers(batches, "start"), pa.int64())
    bounds = pc.min_max(starts)
    first, last = bounds["min"].as_py(), bounds["max"].as_py()
    if first is None:
        return _empty_histogram()
    width = every or choose_bucket(first, last, target)
    return _histogram_of(_grouped_sums(_bucket(starts, width), batches), width, fill)


class HistogramStates(_States):
    """``histogram`` fed one batch at a time, holding only each batch's buckets.

    Without ``every`` the width depends on the first and last start of all the records, so
    the states are kept per second of ``start`` (a batch spans minutes: a few hundred rows)
    and cut into buckets at the end; the sums are the same either way.
    """

    def __init__(self, every: int | None = None, *, target: int = 60, fill: bool = True
                 ) -> None:
        self.every = every
        self.target = target
        self.fill = fill
        super().__init__()

    def add(self, batch: pa.RecordBatch, family: str = "unknown") -> None:
        """``family``: the format family of the batch's object (``fields.detect_family``)."""
        self.records += batch.num_rows  # loaded, even without a start (hist says so)
        if not batch.num_rows or "start" not in batch.schema.names:
            return
        self._hold(batch, family)

    def _reduce(self, batches: list[pa.RecordBatch]) -> pa.Table:
        starts = pc.cast(_integers(batches, "start"), pa.int64())
        bucket = _bucket(starts, self.every) if self.every else starts
        state = _grouped_sums(bucket, batches)
        # One type for every state's sums (batches with a wide counter sum as int64).
        return pa.table({name: state.column(name) if name == "bucket"
                         else pc.cast(state.column(name), pa.uint64())
                         for name in ["bucket", *[f"{n}_sum" for n in _SUMS]]})

    def _merged(self) -> pa.Table:
        return _bucket_sums(_unsummed(pa.concat_tables(self._states)))

    def result(self) -> pa.Table:
        self._check()
        self._flush()
        if not self._states:
            return _empty_histogram()
        sums = self._merged()
        bounds = pc.min_max(sums.column("bucket"))
        first, last = bounds["min"].as_py(), bounds["max"].as_py()
        if first is None:
            return _empty_histogram()
        width = self.every or choose_bucket(first, last, self.target)
        if not self.every:
            sums = _unsummed(sums)
            sums = _bucket_sums(sums.set_column(0, "bucket", _bucket(sums.column(0), width)))
        return _histogram_of(sums, width, self.fill)


def _bucket(starts: pa.Array | pa.ChunkedArray, width: int) -> pa.Array | pa.ChunkedArray:
    return pc.multiply(pc.divide(starts, pa.scalar(width, pa.int64())),
                       pa.scalar(width, pa.int64()))


#: ``_grouped_sums`` groups once on ``bucket * _CODES + action code``.
_CODES = 4
_OTHER, _ACCEPT, _REJECT = 0, 1, 2


def _grouped_sums(bucket: pa.Array | pa.ChunkedArray, batches: Sequence[pa.RecordBatch]
                  ) -> pa.Table:
    """``_bucket_sums`` of the records of ``batches`` in ``bucket`` (one value per record),
    without a column per measure: one group-by over the bucket and the action together
    (count, packets, bytes), then the few resulting rows folded per bucket. On 10M records
    this does a quarter of the per-record work of summing a column of ones and two 0/1
    columns."""
    codes = pa.chunked_array([_action_codes(b) for b in batches], pa.uint8())
    key = pc.add(pc.multiply(bucket, pa.scalar(_CODES, pa.int64())), codes)
    data = {"key": key} | _measures(batches, ("packets", "bytes"))
    grouped = aggregate(pa.table(data), "key",
                        [("key", "count"), ("packets", "sum"), ("bytes", "sum")])
    grouped = pc.filter(grouped, pc.is_valid(grouped.column("key")))
    keys = grouped.column("key")
    count = grouped.column("key_count")
    code = pc.subtract(keys, pc.multiply(pc.divide(keys, _CODES), _CODES))
    zero = pa.scalar(0, count.type)
    folded = pa.table({
        "bucket": pc.divide(keys, _CODES),
        "records": count,
        "packets": grouped.column("packets_sum"),
        "bytes": grouped.column("bytes_sum"),
        "accept": pc.if_else(pc.equal(code, _ACCEPT), count, zero),
        "reject": pc.if_else(pc.equal(code, _REJECT), count, zero),
    })
    return _bucket_sums(folded)


def _action_codes(batch: pa.RecordBatch) -> pa.Array:
    """Per record: 1 for ACCEPT, 2 for REJECT, 0 otherwise (a missing value or column),
    evaluated on the dictionary once."""
    index = batch.schema.get_field_index("action")
    if index < 0:
        return pa.repeat(pa.scalar(_OTHER, pa.uint8()), batch.num_rows)
    column = batch.column(index)
    values = column.dictionary if pa.types.is_dictionary(column.type) else column
    coded = pc.if_else(pc.equal(values, "ACCEPT"), _ACCEPT,
                       pc.if_else(pc.equal(values, "REJECT"), _REJECT, _OTHER))
    coded = pc.cast(pc.fill_null(coded, _OTHER), pa.uint8())
    if pa.types.is_dictionary(column.type):
        coded = pc.fill_null(pc.take(coded, column.indices), _OTHER)
    return coded


def _bucket_sums(table: pa.Table) -> pa.Table:
    """Per valid ``bucket``: the sums of the measures (columns ``bucket``, ``NAME_sum``)."""
    sums = aggregate(table, "bucket", [(name, "sum") for name in _SUMS])
    return pc.filter(sums, pc.is_valid(sums.column("bucket")))


def _unsummed(sums: pa.Table) -> pa.Table:
    """Bucket sums named as the measures again, to be summed once more."""
    return sums.select(["bucket", *[f"{name}_sum" for name in _SUMS]]).rename_columns(
        ["bucket", *_SUMS])


def _histogram_of(grouped: pa.Table, width: int, fill: bool) -> pa.Table:
    grouped = pc.take(grouped, pc.sort_indices(grouped, sort_keys=[("bucket", "ascending")]))
    # Packets and bytes stay null in a bucket none of whose records recorded them.
    columns = {name: pc.cast(grouped.column(f"{name}_sum") if name in SUMMED
                             else pc.fill_null(grouped.column(f"{name}_sum"), 0), pa.uint64())
               for name in HISTOGRAM_COLUMNS[1:]}
    times = grouped.column("bucket")
    if fill and len(times):
        low, high = times[0].as_py(), times[-1].as_py()
        count = (high - low) // width + 1
        if len(times) < count <= MAX_FILLED_BUCKETS:
            every_bucket = pa.array(range(low, high + 1, width), pa.int64())
            place = pc.index_in(every_bucket, value_set=times.combine_chunks())
            # An empty bucket has no records: 0 of everything (a bucket with records that
            # recorded no bytes keeps its null).
            empty = pc.is_null(place)
            zero = pa.scalar(0, pa.uint64())
            columns = {name: pc.if_else(empty, zero, pc.take(column, place))
                       for name, column in columns.items()}
            times = every_bucket
    out = {"time": pc.cast(times, pa.timestamp("s", tz="UTC"))} | columns
    table = pa.table(out).combine_chunks()
    return table.replace_schema_metadata({b"bucket_seconds": str(width).encode()})


def bucket_seconds(table: pa.Table) -> int | None:
    """The width a histogram table was made with."""
    meta = table.schema.metadata or {}
    value = meta.get(b"bucket_seconds")
    return int(value) if value else None


def _empty_histogram() -> pa.Table:
    return pa.table({"time": pa.array([], pa.timestamp("s", tz="UTC"))}
                    | {name: pa.array([], pa.uint64()) for name in HISTOGRAM_COLUMNS[1:]})


def iso_time(value: datetime | int | None) -> str | None:
    """``2024-03-05T14:05:00Z``: how aggregate times are written."""
    if value is None:
        return None
    if isinstance(value, int):
        value = datetime.fromtimestamp(value, tz=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------------------- columns


def _measures(batches: Sequence[pa.RecordBatch], wanted: Iterable[str] = (
        "records", "packets", "bytes", "start", "end", "accept", "reject")
               ) -> dict[str, pa.ChunkedArray]:
    """Per record: 1, packets, bytes, start, end, is-ACCEPT, is-REJECT (those ``wanted``) —
    one chunk per batch."""
    wanted = set(wanted)
    out: dict[str, pa.ChunkedArray] = {}
    if "records" in wanted:
        out["records"] = pa.chunked_array(
            [pa.repeat(pa.scalar(1, pa.uint8()), b.num_rows) for b in batches], pa.uint8())
    for name in ("packets", "bytes", "start", "end"):
        if name in wanted:
            out[name] = _integers(batches, name)
    if "accept" in wanted or "reject" in wanted:
        actions = [_actions(b) for b in batches]
        out["accept"] = pa.chunked_array([a for a, _ in actions], pa.uint8())
        out["reject"] = pa.chunked_array([r for _, r in actions], pa.uint8())
    return out


def _integers(batches: Sequence[pa.RecordBatch], name: str) -> pa.ChunkedArray:
    """Column ``name`` of every batch as one integer type: the batches' own when they agree
    (no cast of millions of values), else int64."""
    chunks = [integer_column(b, name) for b in batches]
    types = {c.type for c in chunks if c.null_count < len(c)}
    common = types.pop() if len(types) == 1 else pa.int64()
    return pa.chunked_array([c if c.type == common else pc.cast(c, common) for c in chunks], common)


def _actions(batch: pa.RecordBatch) -> tuple[pa.Array, pa.Array]:
    """0/1 per record for ACCEPT and for REJECT (from ``_action_codes``)."""
    codes = _action_codes(batch)
    return (pc.cast(pc.equal(codes, _ACCEPT), pa.uint8()),
            pc.cast(pc.equal(codes, _REJECT), pa.uint8()))


def _key_column(batches: Sequence[pa.RecordBatch], name: str) -> pa.ChunkedArray:
    """Column ``name`` of every batch as one groupable chunked array: strings as dictionaries
    with one shared dictionary, integers as int64 (batches narrow them differently)."""
    present = [b.column(name) for b in batches if name in b.schema.names]
    textual = any(pa.types.is_dictionary(c.type) or pa.types.is_string(c.type)
                  for c in present) or (not present and _catalogue_text(name))
    chunks = []
    for batch in batches:
        index = batch.schema.get_field_index(name)
        if index < 0:
            chunks.append(pa.nulls(batch.num_rows, _STRING_KEY if textual else pa.int64()))
            continue
        column = batch.column(index)
        if textual:
            if pa.types.is_dictionary(column.type):
                if not pa.types.is_string(column.type.value_type):
                    column = pc.dictionary_encode(pc.cast(column, pa.string()))
                column = pc.cast(column, _STRING_KEY)
            else:
                column = pc.cast(pc.dictionary_encode(pc.cast(column, pa.string())),
                                 _STRING_KEY)
        else:
            column = pc.cast(column, pa.int64())
        chunks.append(column)
    chunked = pa.chunked_array(chunks, _STRING_KEY if textual else pa.int64())
    if textual:
        chunked = chunked.unify_dictionaries()
    return chunked


def _catalogue_text(name: str) -> bool:
    spec = FIELDS.get(name)
    return spec is None or not pa.types.is_integer(spec.arrow_type)


__all__ = ["BUCKETS", "GROUP_COLUMNS", "HISTOGRAM_COLUMNS", "METRICS", "SUM_LIMIT",
           "GroupStates", "HistogramStates", "SumTooLarge", "bucket_seconds", "check_sums",
           "choose_bucket", "group_by", "histogram", "iso_time", "parse_every", "top",
           "top_of", "unrecorded", "unrecorded_note"]
