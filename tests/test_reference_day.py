"""A time without a date means the day of the data, everywhere (issue 17 item 5).

Flow logs are read days later: ``during 14:00..14:10`` on a folder of another day matched
nothing (it meant today), with no hint, and ``hist`` then said "no records with a start
time", which was false. Now a bare time is read on the day of the load's window
(``--since``), else the day the objects' keys name, else the day most of the first records
start on; and when nothing matches, the message says the filter matched nothing and which
day was taken.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from flowtui.fields import DEFAULT_FIELDS
from flowtui.query.expr import parse
from flowtui.query.times import ReferenceDay, day_of_data, parse_time
from flowtui.synth import generate_lines, make_text_object
from tests.cli_fork import flowtui_run

ROOT = Path(__file__).resolve().parent.parent
START = int(datetime(2024, 3, 5, 14, 0, tzinfo=UTC).timestamp())
NAME = "123456789012_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f67890_20240305T1400Z_0badf00d.log.gz"


def flowtui(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    result = flowtui_run(*args, cwd=ROOT, timeout=300, input=stdin, text=False)
    return subprocess.CompletedProcess(result.args, result.returncode,
                                       result.stdout.decode(), result.stderr.decode())


def write_day(folder: Path, name: str = NAME) -> Path:
    path = folder / name
    lines = list(generate_lines(2000, seed=3, start=START, span=600))
    path.write_bytes(make_text_object(lines, DEFAULT_FIELDS))
    return path


def test_a_clock_time_is_read_on_the_reference_day_and_marks_it_used() -> None:
    day = ReferenceDay(date(2024, 3, 5), "the day of the data")
    assert parse_time("14:05", day=day) == datetime(2024, 3, 5, 14, 5, tzinfo=UTC)
    assert day.used
    other = ReferenceDay(date(2024, 3, 5))
    parse("during 2024-03-04T14:00..14:10", day=other)  # the end takes the start's date
    assert not other.used
    assert parse("during 14:00..14:10", day=ReferenceDay(date(2024, 3, 5))) == parse(
        "during 2024-03-05T14:00..2024-03-05T14:10")


def test_the_day_of_the_data_is_the_day_most_records_start_on() -> None:
    """A day folder's first file holds records from just before midnight."""
    late = int(datetime(2024, 3, 4, 23, 59, tzinfo=UTC).timestamp())
    batch = pa.record_batch({"start": pa.array([late] * 3 + [late + 120] * 10, pa.int64())})
    assert day_of_data([batch]) == date(2024, 3, 5)
    assert day_of_data([pa.record_batch({"start": pa.nulls(2, pa.int64())})]) is None


def test_hist_reads_a_bare_time_on_the_day_of_the_objects_keys(tmp_path: Path) -> None:
    path = write_day(tmp_path)
    result = flowtui("hist", str(path), "--where", "during 14:00..14:10", "--every", "1m",
                     "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()[1:]
    assert len(rows) == 10 and rows[0].startswith('"2024-03-05T14:00:00Z",')
    assert sum(int(r.split(",")[1]) for r in rows) == 2000


def test_without_a_key_the_day_is_the_first_records_day(tmp_path: Path) -> None:
    body = (tmp_path / "web.log.gz")
    write_day(tmp_path, body.name)
    for args in (["top", str(body)], ["top", "-"]):
        result = flowtui(*args, "--by", "dstport", "--where", "during 14:00..14:04",
                         "--format", "csv",
                         stdin=body.read_bytes() if args[1] == "-" else None)
        assert result.returncode == 0, result.stderr
        assert len(result.stdout.splitlines()) > 2, result.stderr


def test_top_reads_a_bare_end_time_on_the_records_day_without_their_start(tmp_path: Path
                                                                         ) -> None:
    """``top`` reads only the columns it needs: with ``end < 14:05`` that is no ``start``, and
    the first records' day was then not found, so 14:05 was read as today (every record
    matched). ``end`` names the day as well."""
    body = tmp_path / "web.log.gz"  # no day in the name: the first records decide
    write_day(tmp_path, body.name)
    bare = flowtui("top", str(body), "--by", "action", "--where", "end < 14:05",
                   "--format", "csv")
    dated = flowtui("top", str(body), "--by", "action", "--where",
                    "end < 2024-03-05T14:05", "--format", "csv")
    assert bare.returncode == dated.returncode == 0, bare.stderr + dated.stderr
    assert bare.stdout == dated.stdout
    everything = flowtui("top", str(body), "--by", "action", "--format", "csv")
    assert bare.stdout != everything.stdout


def test_nothing_matched_says_so_and_names_the_day_taken(tmp_path: Path) -> None:
    path = write_day(tmp_path)
    result = flowtui("hist", str(path), "--where", "during 03:00..03:10")
    assert result.returncode == 0
    assert "no records with a start time" not in result.stderr
    assert result.stderr.strip() == (
        "flowtui: no record matches --where 'during 03:00..03:10'; a time without a date was "
        "read on 2024-03-05 (the day of the objects' keys): give a date (2024-03-05T14:00) or "
        "--since for another day")
    top = flowtui("top", str(path), "--by", "srcaddr", "--where", "port 1")
    assert top.stderr.strip() == "flowtui: no record matches --where 'port 1'"
    cat = flowtui("cat", str(path), "--where", "during 03:00..03:10")
    assert cat.stdout == "" and "read on 2024-03-05" in cat.stderr


def test_since_gives_the_day(tmp_path: Path) -> None:
    """With a window, its day is the reference: here a day with no records in the file."""
    path = write_day(tmp_path)
    result = flowtui("cat", str(path), "--since", "2024-03-04T00:00", "--until",
                     "2024-03-06T00:00", "--where", "during 14:00..14:10", "--limit", "1")
    assert result.returncode == 0
    assert "read on 2024-03-04 (the day of --since)" in result.stderr


def test_story_reads_a_bare_time_on_the_day_of_the_loaded_records(tmp_path: Path) -> None:
    path = write_day(tmp_path)
    result = flowtui("story", str(path), "--where", "during 14:02..14:03 and tcp",
                     "--limit", "1")
    assert result.returncode == 0, result.stderr
    assert "2024-03-05 14:0" in result.stdout


def test_a_day_folder_names_the_day_before_anything_loads(tmp_path: Path) -> None:
    """``flowtui hist s3://…/2024/03/05/`` (or Hive's ``day=05/hour=14/``): the folder says
    the day, which also serves ``--engine athena``, where nothing is loaded."""
    from flowtui.cli.filtering import folder_day

    assert folder_day(["s3://b/AWSLogs/1/vpcflowlogs/us-east-1/2024/03/05/"]) == date(2024, 3, 5)
    assert folder_day(["s3://b/AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/"
                       "aws-region=us-east-1/year=2024/month=03/day=05/hour=14/"]) == \
        date(2024, 3, 5)
    assert folder_day(["a/2024/03/05/", "b/2024/03/06/"]) is None
    assert folder_day(["samples"]) is None
    day = tmp_path / "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/05"
    day.mkdir(parents=True)
    write_day(day, "other-name.log.gz")  # no stamp in the name: the folder tells
    result = flowtui("cat", str(day), "--where", "during 03:00..03:10")
    assert "read on 2024-03-05 (the day of the folder)" in result.stderr


def test_cat_streams_the_records_of_a_bare_time_on_the_data_day(tmp_path: Path) -> None:
    """cat --where (streamed, and with --sort --limit: the parser's prefilters) keeps what the
    bare time means on the data's day, not what it would mean today."""
    path = write_day(tmp_path, "web.log.gz")
    for extra in ([], ["--sort", "-bytes", "--limit", "5"]):
        result = flowtui("cat", str(path), "--where", "during 14:02..14:03", "--format", "csv",
                         *extra)
        assert result.returncode == 0, result.stderr
        rows = result.stdout.splitlines()[1:]
        assert rows and (len(rows) == 5 if extra else len(rows) > 100), result.stderr


@pytest.mark.parametrize("typed, meant", [
    ("2024-03-05 14:00:05 UTC", datetime(2024, 3, 5, 14, 0, 5, tzinfo=UTC)),
    ("2024-03-05T14:00 utc", datetime(2024, 3, 5, 14, 0, tzinfo=UTC)),
    ("14:05Z", datetime(2024, 3, 5, 14, 5, tzinfo=UTC)),
    ("14:05 UTC", datetime(2024, 3, 5, 14, 5, tzinfo=UTC)),
])
def test_a_time_as_flowtui_prints_it_is_read_back(typed: str, meant: datetime) -> None:
    """The story and the detail panel print times as ``2024-03-05 14:00:05 UTC``, and the
    "not a time" hint offers ``2024-03-05T14:00 [UTC]``: pasted back into ``--since``, ``@``
    or ``during`` either was refused ("not a time"), as was ``14:05Z``."""
    from flowtui.query.verdict import utc_time

    day = ReferenceDay(date(2024, 3, 5))
    assert parse_time(typed, day=day) == meant
    printed = utc_time(int(meant.timestamp()))
    assert parse_time(printed) == meant


def test_a_time_with_two_zones_is_refused() -> None:
    with pytest.raises(ValueError, match="not a time"):
        parse_time("2024-03-05T14:00+01:00 UTC")


def test_an_until_clock_time_with_its_zone_is_on_the_day_of_since(tmp_path: Path) -> None:
    """``--until '14:05 UTC'`` is a clock time as ``--until 14:05`` is: on the day of
    ``--since``, not today (the window then held every record after --since)."""
    folder = tmp_path
    write_day(folder)
    plain = flowtui("top", str(folder), "--by", "action", "--format", "csv",
                    "--since", "2024-03-05T14:00", "--until", "14:02")
    zoned = flowtui("top", str(folder), "--by", "action", "--format", "csv",
                    "--since", "2024-03-05 14:00:00 UTC", "--until", "14:02 UTC")
    assert plain.returncode == 0, plain.stderr
    assert zoned.returncode == 0, zoned.stderr
    assert zoned.stdout == plain.stdout
