"""``flowtui athena ddl``: the table matches the bucket's layout (checked against the keys).

Golden files hold the statements for each layout in the moto fixture; regenerate them with
``FLOWTUI_UPDATE_GOLDEN=1`` after a deliberate change and read the diff.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from flowtui.athena.table import TableError, create_table, describe_prefix, partition_filter
from tests.cli_fork import flowtui_run

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).with_name("golden") / "athena"
TODAY = date(2024, 3, 7)

LAYOUTS = {
    "hourly": "team/net/",          # default layout with hour folders, one account and region
    "hive": "hive/",                # Hive-compatible
    "hive-hourly-parquet": "tgw/",  # Hive + hourly, "service=" spelling, newest object Parquet
    "default": "AWSLogs/111111111111/vpcflowlogs/",  # two regions, several flow logs
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_statement_matches_the_golden_file(s3_server, name: str) -> None:
    table = describe_prefix(s3_server.client(), s3_server.main_bucket, LAYOUTS[name])
    statement = create_table(table, database="flowlogs", name=f"vpc_{name.replace('-', '_')}",
                             today=TODAY) + "\n"
    golden = GOLDEN / f"{name}.sql"
    if os.environ.get("FLOWTUI_UPDATE_GOLDEN"):
        golden.write_text(statement)
    assert statement == golden.read_text()


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_the_projection_template_finds_exactly_the_real_objects(s3_server, name: str) -> None:
    """Every partition value in the projected range, filled into the location template, names
    a folder; the seeded objects are exactly those directly in such folders."""
    prefix = LAYOUTS[name]
    table = describe_prefix(s3_server.client(), s3_server.main_bucket, prefix)
    last_day = s3_server.day.date() + timedelta(days=2)  # the fixture's newest files
    folders = set()
    day = table.first_day
    while day <= last_day:
        for account in table.accounts:
            for region in table.regions:
                for hour in (range(24) if table.hourly else [None]):
                    folders.add(table.folder(account, region, day, hour))
        day += timedelta(days=1)
    seeded = [f"s3://{o.bucket}/{o.key}" for o in s3_server.under(s3_server.main_bucket,
                                                                  table.prefix + "AWSLogs/")]
    assert seeded
    for url in seeded:
        folder = url.rpartition("/")[0] + "/"
        assert folder in folders, f"{url} is outside every projected partition"


def test_columns_and_types_follow_the_newest_objects_header(s3_server) -> None:
    table = describe_prefix(s3_server.client(), s3_server.main_bucket, "team/net/")
    types = {c.name: c.type for c in table.columns}
    assert types["log_status"] == "string" and types["account_id"] == "string"
    assert types["srcport"] == "int" and types["version"] == "int"
    assert types["bytes"] == "bigint" and types["end"] == "bigint"
    assert types["protocol"] == "bigint"  # as AWS's own DDL has it


def test_a_prefix_with_several_destinations_is_refused_with_what_to_give(s3_server) -> None:
    with pytest.raises(TableError) as caught:
        describe_prefix(s3_server.client(), s3_server.main_bucket, "")
    assert "several flow-log destinations" in str(caught.value)


def test_a_window_becomes_partition_predicates(s3_server) -> None:
    table = describe_prefix(s3_server.client(), s3_server.main_bucket, "hive/")
    since = s3_server.day.replace(hour=14)
    predicate = partition_filter(table, since, since + timedelta(minutes=30))
    assert predicate == "((year = '2024' AND month = '03' AND day = '05'))"
    hourly = describe_prefix(s3_server.client(), s3_server.main_bucket, "team/net/")
    predicate = partition_filter(hourly, since, since + timedelta(minutes=30))
    assert predicate is not None
    assert "(day = '2024/03/05' AND hour = '14')" in predicate
    assert "hour = '18'" not in predicate
    assert partition_filter(hourly, None, None) is None


def test_cli_prints_the_statement_and_sends_nothing_to_athena(s3_server) -> None:
    env = dict(os.environ, AWS_ENDPOINT_URL_ATHENA="http://127.0.0.1:9")  # nothing listens
    done = flowtui_run("athena", "ddl", f"s3://{s3_server.main_bucket}/hive/", "--endpoint-url",
                       s3_server.endpoint_url, "--table", "t1", cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("CREATE EXTERNAL TABLE IF NOT EXISTS `default`.`t1` (")
    assert "'storage.location.template'" in done.stdout
    assert done.stderr == ""


def test_cli_error_is_one_line(s3_server) -> None:
    done = flowtui_run("athena", "ddl", f"s3://{s3_server.main_bucket}/", "--endpoint-url",
                       s3_server.endpoint_url, cwd=ROOT, timeout=120)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "several flow-log destinations" in done.stderr


def _properties(statement: str) -> tuple[dict[str, str], dict[str, str]]:
    """The DDL as sqlglot (Hive dialect) reads it: TBLPROPERTIES, partition column comments."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(statement, read="hive")
    props = {p.name: p.args["value"].this for p in tree.find_all(exp.Property)
             if isinstance(p.args.get("value"), exp.Literal) and p.name.startswith(
                 ("projection.", "storage."))}
    partitioned = tree.find(exp.PartitionedByProperty)
    assert partitioned is not None
    comments = {c.name: c.find(exp.CommentColumnConstraint).this.this
                for c in partitioned.find_all(exp.ColumnDef)
                if c.find(exp.CommentColumnConstraint) is not None}
    return props, comments


def _projected_years(props: dict[str, str], now: date) -> list[int]:
    """The year values a Hive table's projection gives at ``now``, as the Athena user guide
    ("Supported types for partition projection") defines them: ``integer`` is every value of
    a fixed range; ``date`` steps from the range's start by the interval up to the end, where
    ``NOW`` is the time of the query."""
    low, high = props["projection.year.range"].split(",")
    if props["projection.year.type"] == "integer":
        return list(range(int(low), int(high) + 1))
    assert props["projection.year.type"] == "date"
    assert props["projection.year.format"] == "yyyy"
    assert props["projection.year.interval.unit"] == "YEARS"
    step = int(props.get("projection.year.interval", "1"))
    end = now.year if high.strip() == "NOW" else int(high)
    return list(range(int(low), end + 1, step))


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_the_projection_reaches_every_future_day(s3_server, name: str) -> None:
    """Issue 18 item 1: an integer projection range is fixed (Athena user guide, "Supported
    types for partition projection": the range's values are inclusive bounds), so a year range
    ending at this year reads nothing from 1 January on. Every time range must end at NOW,
    which a ``date`` projection reads at query time; enum accounts and regions say in the
    DDL that a new one needs the table made again."""
    table = describe_prefix(s3_server.client(), s3_server.main_bucket, LAYOUTS[name])
    statement = create_table(table, database="flowlogs", name="t", today=TODAY)
    props, comments = _properties(statement)
    for column in ("year", "day"):
        if props.get(f"projection.{column}.type") == "date":
            assert props[f"projection.{column}.range"].endswith(",NOW"), column
    if table.hive:
        later = date(TODAY.year + 7, 1, 1)
        assert later.year in _projected_years(props, later)
        assert props["projection.month.range"] == "1,12"  # calendar ranges stay fixed
    else:
        assert props["projection.day.type"] == "date"
    assert "new account" in comments["aws_account"]
    assert "new region" in comments["aws_region"]


def test_the_apps_athena_query_names_a_dotted_table_once(s3_server) -> None:
    """The app's Athena query of a folder (athena/folder.py): ``--athena-table db.tbl`` is
    database ``db``, table ``tbl``; Athena would read ``default.db.tbl`` as catalog
    ``default`` (Athena user guide, "Query across catalogs"). An empty name is one line."""
    import sqlglot
    from sqlglot import exp

    from flowtui.athena.folder import folder_query
    from flowtui.query.expr import parse

    key = s3_server.under(s3_server.main_bucket, "hive/")[0].key
    folder = key.rpartition("/")[0] + "/"
    query = folder_query(s3_server.client(), s3_server.main_bucket, folder, parse("tcp"),
                         database="default", table_name="flowlogs.vpc")
    found = sqlglot.parse_one(query.sql, read="trino").find(exp.Table)
    assert found is not None
    assert (found.catalog, found.db, found.name) == ("", "flowlogs", "vpc")
    assert query.name == "flowlogs.vpc"
    with pytest.raises(TableError, match="the table name is empty"):
        folder_query(s3_server.client(), s3_server.main_bucket, folder, parse("tcp"),
                     database="default", table_name="")


@pytest.mark.parametrize(("prefix", "expected"), [
    ("hive/", "((year = '2026' AND month = '12' AND day = '31') OR "
              "(year = '2027' AND month = '01' AND day = '01'))"),
    ("team/net/", "((day = '2026/12/31' AND hour = '23') OR "
                  "(day = '2027/01/01' AND hour = '00'))"),
    ("AWSLogs/111111111111/vpcflowlogs/", "day IN ('2026/12/31', '2027/01/01')"),
])
def test_a_window_across_the_new_year_names_both_days(s3_server, prefix: str,
                                                      expected: str) -> None:
    """31 December 23:50 to 1 January 00:10: the folders of both days (Hive: both years and
    months; hourly: the last hour of one and the first of the other), since AWS files a
    log by its delivery time under ``yyyy/MM/dd[/HH]`` (``year=/month=/day=[/hour=]``), and
    AWS's own projected table partitions by that folder ("projection.day.format" =
    "yyyy/MM/dd", "storage.location.template" = ".../${day}": Athena user guide, "Create and
    query a table for Amazon VPC flow logs using partition projection",
    https://docs.aws.amazon.com/athena/latest/ug/vpc-flow-logs-partition-projection.html)."""
    table = replace(describe_prefix(s3_server.client(), s3_server.main_bucket, prefix),
                    first_day=date(2026, 12, 1))
    since = datetime(2026, 12, 31, 23, 50, tzinfo=UTC)
    assert partition_filter(table, since, since + timedelta(minutes=20)) == expected


def test_a_window_with_no_folder_is_false_not_empty_sql(s3_server) -> None:
    """A window wholly before the first day folder (or reversed) holds nothing: before, the
    predicate was "day IN ()" / "()", which Athena refuses as a syntax error; now FALSE.
    A --since years before the first folder names the days from that folder on, where it
    was refused as spanning more than 400 days."""
    for prefix in ("hive/", "team/net/", "AWSLogs/111111111111/vpcflowlogs/"):
        table = describe_prefix(s3_server.client(), s3_server.main_bucket, prefix)
        first = datetime.combine(table.first_day, datetime.min.time(), UTC)
        assert partition_filter(table, None, first - timedelta(days=3)) == "FALSE"
        assert partition_filter(table, first + timedelta(days=2), first) == "FALSE"
        wide = partition_filter(table, first - timedelta(days=3 * 365),
                                first + timedelta(hours=12))
        before = table.first_day - timedelta(days=1)
        spelled = (f"year = '{before:%Y}' AND month = '{before:%m}' AND day = '{before:%d}'"
                   if table.hive else f"'{before:%Y/%m/%d}'")
        assert wide is not None and spelled not in wide
        assert (f"day = '{table.first_day:%d}'" if table.hive
                else f"'{table.first_day:%Y/%m/%d}'") in wide
