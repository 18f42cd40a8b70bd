"""Local flow-log files and folders: found in key/time order and read as record batches.

A folder copied from S3 (``aws s3 sync``) keeps AWS's key layout, and file names carry the
account, region, flow-log id and time, so sorting the relative paths puts the objects in the
same order S3 lists them.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa

from flowtui.parquet import iter_parquet_batches, looks_like_parquet
from flowtui.parser import FlowLogParser

READ_CHUNK = 1 << 20
STDIN = "-"  # `aws s3 cp s3://… - | flowtui cat -`


class LocalPathError(Exception):
    """A path the user named cannot be read; the message is one line for the user."""


def find_objects(paths: Sequence[str]) -> list[Path]:
    """Files named directly, and every file below a named folder, in key order; a file
    several paths name (a folder and a file in it) once, where it is first named (read
    twice, its records were counted twice)."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if name == STDIN:
            found.append(path)
        elif path.is_dir():
            below = [Path(root) / file for root, _dirs, files in os.walk(path) for file in files
                     if not file.startswith(".")]
            found.extend(sorted(below, key=lambda p: p.relative_to(path).as_posix()))
        elif path.is_file():
            found.append(path)
        elif path.exists():
            raise LocalPathError(f"{name}: not a regular file or folder")
        else:
            raise LocalPathError(f"{name}: no such file or folder")
    if STDIN in paths:  # standard input is no file to read once
        return found
    from flowtui.refs import first_of_each

    return first_of_each(found, str)


def read_batches(path: Path, parser: FlowLogParser) -> Iterator[pa.RecordBatch]:
    """Stream a local object through ``parser`` (or the Parquet reader) batch by batch.

    The parser's error and bad lines are left on it for the caller to report.
    """
    try:
        with _open(path) as handle:
            head = handle.read(4)
            if looks_like_parquet(head):  # by content, whatever the name says
                handle.seek(0)
                # A path, not the handle, where there is one: Arrow then reads it natively
                # and holds no Python object on its threads.
                source = handle if str(path) == STDIN else str(path)
                yield from iter_parquet_batches(source, report=parser)
                return
            # A regular file always has its next chunk at hand; a pipe may not.
            eager = str(path) == STDIN or not path.is_file()
            yield from parser.stream(head, wait=eager)
            while chunk := handle.read1(READ_CHUNK):
                yield from parser.stream(chunk, wait=eager)
            yield from parser.finish()
    except OSError as exc:
        raise LocalPathError(f"{path}: {exc.strerror or exc}") from exc
    finally:
        parser.close()


def _open(path: Path) -> io.BufferedReader:
    if str(path) == STDIN:
        return open(sys.stdin.fileno(), "rb", closefd=False)  # noqa: SIM115 - closed by caller
    return path.open("rb")
