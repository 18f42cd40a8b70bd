"""``cat`` (JSON lines and CSV), ``top`` and ``hist`` skip the same bad lines and count the
same records, whatever columns each reads. ``top --by srcaddr`` types srcaddr, packets and
bytes only; it used to count a line one field short when the missing field was in a column
it does not read (two spaces where interface-id was: read on single spaces, every field but
one is in its place), and a line whose dstport is 'ssh', while ``cat`` skipped both as bad
lines. ``cat --format csv``, whose text columns are read as bytes, wrote the line one field
short as a record with an empty interface-id. Fields are separated by single spaces and '-'
means "not applicable or couldn't be computed" (reference/flow-log-format.md §0, [C]): AWS
writes no empty field, so a line with one is a line one field short.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from flowtui.fields import DEFAULT_FIELDS
from flowtui.synth import generate_lines, make_text_object
from tests.cli_fork import flowtui_run

ROOT = Path(__file__).resolve().parent.parent


def flowtui(*args: str) -> subprocess.CompletedProcess[str]:
    return flowtui_run(*args, cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 good records and 2 bad lines (the 11th and 31st records damaged) in one object."""
    lines = list(generate_lines(42, seed=5, interfaces=3, span=600))
    fields = lines[10].split(" ")
    fields[2] = ""  # interface-id left out: two spaces together
    lines[10] = " ".join(fields)
    fields = lines[30].split(" ")
    fields[6] = "ssh"  # dstport that is no number
    lines[30] = " ".join(fields)
    path = tmp_path_factory.mktemp("bad") / "damaged.log.gz"
    path.write_bytes(make_text_object(lines, DEFAULT_FIELDS))
    return path


def said_bad(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if "bad line" in line
            or "expected 14 fields" in line or "not an integer" in line]


def test_cat_top_and_hist_skip_the_same_lines_and_count_the_same_records(
        damaged: Path) -> None:
    """Fails before: top and hist counted 42 records and said no bad line; cat --format csv
    wrote 41 (the line one field short, with an empty interface-id)."""
    cat = flowtui("cat", "--format", "jsonl", str(damaged))
    assert cat.returncode == 0, cat.stderr
    records = [json.loads(line) for line in cat.stdout.splitlines()]
    assert len(records) == 40
    bad = said_bad(cat)
    assert bad[-1] == "flowtui: 2 bad lines skipped", cat.stderr
    assert "damaged.log.gz:12: expected 14 fields, found 13" in bad[0]  # header is line 1
    assert "damaged.log.gz:32: dstport: 'ssh' is not an integer" in bad[1]

    top = flowtui("top", "--by", "srcaddr", "--format", "jsonl", "-n", "1000", str(damaged))
    assert top.returncode == 0, top.stderr
    groups = [json.loads(line) for line in top.stdout.splitlines()]
    assert sum(group["records"] for group in groups) == len(records)
    assert said_bad(top) == bad

    csv = flowtui("cat", "--format", "csv", str(damaged))  # text read as bytes, no dictionary
    assert csv.returncode == 0, csv.stderr
    assert len(csv.stdout.splitlines()) == 1 + len(records)  # its header, then the records
    assert said_bad(csv) == bad

    hist = flowtui("hist", "--format", "jsonl", str(damaged))
    assert hist.returncode == 0, hist.stderr
    buckets = [json.loads(line) for line in hist.stdout.splitlines()]
    assert sum(bucket["records"] for bucket in buckets) == len(records)
    assert said_bad(hist) == bad


@pytest.mark.parametrize("window", [[], ["--since", "2000-01-01"]])
def test_cat_explain_names_each_record_by_its_line(damaged: Path, window: list[str]) -> None:
    """``--explain`` heads each record ``record N · line L of OBJECT``: N counts the
    output, L is the record's line in the object (after the header and the bad line 12,
    the 11th record is line 13), read as plain files are and through the loader (a time
    window). Fails before: "record 11 · damaged.log.gz", no line."""
    cat = flowtui("cat", "--explain", *window, str(damaged))
    assert cat.returncode == 0, cat.stderr
    heads = [line for line in cat.stdout.splitlines() if line.startswith("── record ")]
    assert len(heads) == 40
    assert heads[9].startswith(f"── record 10 · line 11 of {damaged} ")
    assert heads[10].startswith(f"── record 11 · line 13 of {damaged} ")
    assert heads[39].startswith(f"── record 40 · line 43 of {damaged} ")
