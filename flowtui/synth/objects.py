"""Flow-log objects as AWS delivers them: gzip text or Parquet bytes, and their S3 keys.

Apart from the lines because a test or the demo server wraps any lines (synthetic, hostile,
a corpus file) into an object, and names it in one of the four delivery layouts.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from flowtui.synth.records import DASH


def make_text_object(lines: Iterable[str], fields: Sequence[str], *, compress: bool = True,
                     compresslevel: int = 6) -> bytes:
    """A text flow-log object as AWS writes it: header of field names, records; gzip."""
    body = " ".join(fields) + "\n" + "".join(line + "\n" for line in lines)
    data = body.encode("utf-8")
    return gzip.compress(data, compresslevel=compresslevel, mtime=0) if compress else data


_PARQUET_INT32 = {"version", "srcport", "dstport", "protocol", "tcp-flags", "traffic-path",
                  "encryption-status"}
_PARQUET_INT64 = {"packets", "bytes", "start", "end", "packets-lost-no-route",
                  "packets-lost-blackhole", "packets-lost-mtu-exceeded",
                  "packets-lost-ttl-expired"}


def parquet_name(field_name: str) -> str:
    """The Parquet column name AWS uses for a field (snake_case)."""
    return field_name.replace("-", "_")


def make_parquet_object(lines: Iterable[str], fields: Sequence[str], *,
                        compression: str = "gzip") -> bytes:
    """A Parquet flow-log object: snake_case columns, INT_32/INT_64/STRING as in reference
    §2, nulls where the text has '-'. Lines must have exactly ``len(fields)`` values."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    names = [parquet_name(f) for f in fields]
    types = {
        parquet_name(f): pa.int32() if f in _PARQUET_INT32
        else pa.int64() if f in _PARQUET_INT64 else pa.string()
        for f in fields
    }
    text = "".join(line + "\n" for line in lines).encode("utf-8")
    if text:
        table = pacsv.read_csv(
            io.BytesIO(text),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=" ", quote_char=False,
                                             double_quote=False, escape_char=False),
            convert_options=pacsv.ConvertOptions(column_types=types, null_values=[DASH],
                                                 strings_can_be_null=True,
                                                 quoted_strings_can_be_null=False),
        )
    else:
        table = pa.table({name: pa.array([], type=types[name]) for name in names})
    out = io.BytesIO()
    pq.write_table(table, out, compression=compression)
    return out.getvalue()


LAYOUTS: tuple[str, ...] = ("default", "hourly", "hive", "hive-hourly")


def object_key(
    *,
    layout: str = "default",
    prefix: str = "",
    account: str = "123456789012",
    region: str = "us-east-1",
    flow_log_id: str = "fl-0a1b2c3d4e5f67890",
    when: datetime,
    fmt: str = "text",
    hash: str | None = None,
) -> str:
    """An S3 key in one of the four delivery layouts (reference §6.1, §6.2).

    ``when`` is the file's UTC time (naive datetimes are taken as UTC); the file name is
    stamped to the minute. Without ``hash`` a stable 8-hex suffix is derived from the rest.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    if fmt not in ("text", "parquet"):
        raise ValueError(f"unknown format {fmt!r}; expected 'text' or 'parquet'")
    t = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    y, mo, d, h = f"{t:%Y}", f"{t:%m}", f"{t:%d}", f"{t:%H}"
    if layout.startswith("hive"):
        folder = (f"AWSLogs/aws-account-id={account}/aws-service=vpcflowlogs/"
                  f"aws-region={region}/year={y}/month={mo}/day={d}/")
        if layout == "hive-hourly":
            folder += f"hour={h}/"
    else:
        folder = f"AWSLogs/{account}/vpcflowlogs/{region}/{y}/{mo}/{d}/"
        if layout == "hourly":
            folder += f"{h}/"
    stem = f"{account}_vpcflowlogs_{region}_{flow_log_id}_{t:%Y%m%dT%H%MZ}"
    if hash is None:
        hash = hashlib.sha1(f"{prefix}|{folder}|{stem}|{fmt}".encode()).hexdigest()[:8]
    ext = ".log.parquet" if fmt == "parquet" else ".log.gz"
    lead = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    return f"{lead}{folder}{stem}_{hash}{ext}"
