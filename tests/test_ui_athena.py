"""'Query on Athena' from the large-folder question, driven by keys against moto's S3 and
Athena on loopback: the SQL Athena receives, the rows in the table, cancel."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from test_athena_engine import HEADER, ROWS, _set_results, _slow_queries

from flowtui.ui.app import FlowtuiApp
from flowtui.ui.features.jobs import listing
from flowtui.ui.features.jobs.athena import AthenaOptions
from flowtui.ui.widgets.athena.dialogs import (
    AthenaTableScreen,
    FlowLogScreen,
    LoadOrQueryScreen,
    SqlScreen,
)
from tests.ui_helpers import press, screen_text, wait_for

pytestmark = pytest.mark.asyncio

DAY_FOLDER = ("hive/AWSLogs/aws-account-id=333333333333/aws-service=vpcflowlogs/"
              "aws-region=ap-southeast-2/year=2024/month=03/day=05/")


def _queries(s3_server: Any) -> list[dict[str, Any]]:
    raw = boto3.client("athena", region_name="us-east-1", endpoint_url=s3_server.endpoint_url)
    ids = raw.list_query_executions()["QueryExecutionIds"]
    return [raw.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]


async def _ask_athena(pilot: Any, app: FlowtuiApp, s3_server: Any,
                      folder: str = DAY_FOLDER, bucket: str | None = None) -> None:
    """Enter on the day folder, then 'a' at the large-folder question."""
    browser = app.browser
    url = f"s3://{bucket or s3_server.main_bucket}/{folder}"
    await wait_for(pilot, lambda: any(e.key == folder for e in browser.entries),
                   what="day folder listed")
    await press(pilot, "home")
    while (entry := browser.highlighted_entry()) is None or entry.key != folder:
        await press(pilot, "down")
    await press(pilot, "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, LoadOrQueryScreen), timeout=30,
                   what=f"the large-folder question for {url}")
    assert "query on Athena" in "\n".join(screen_text(pilot))
    await press(pilot, "a")


@pytest.fixture()
def athena_env(s3_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ENDPOINT_URL_ATHENA", s3_server.endpoint_url)
    monkeypatch.setattr(listing, "CONFIRM_OBJECTS", 0)  # this small folder asks too
    yield s3_server
    _slow_queries(s3_server.endpoint_url, 1)


async def test_query_on_athena_sends_filter_and_partitions_and_fills_the_table(
        athena_env: Any, s3_client: Any) -> None:
    s3_server = athena_env
    _slow_queries(s3_server.endpoint_url, 1)
    _set_results(s3_server.endpoint_url, HEADER, ROWS)
    parent = DAY_FOLDER.rstrip("/").rpartition("/")[0] + "/"
    app = FlowtuiApp(f"s3://{s3_server.main_bucket}/{parent}", client=s3_client,
                     athena=AthenaOptions(database="logs", table="vpc",
                                          output_location="s3://results/q/"))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.shown.records is not None, what="screen")
        assert app.filters.add_step("reject and port 22")
        await _ask_athena(pilot, app, s3_server)
        await wait_for(pilot, lambda: app.athena.job is not None and not app.athena.job.running,
                       timeout=60, what="query finished")
        job = app.athena.job
        assert job is not None
        sent = [q["Query"] for q in _queries(s3_server) if "FROM logs.vpc" in q["Query"]]
        assert job.sql in sent
        sql = job.sql
        assert "COALESCE(NULLIF(action, '-') = 'REJECT', FALSE)" in sql
        assert "dstport = 22" in sql
        assert ("aws_account = '333333333333' AND aws_region = 'ap-southeast-2' AND "
                "year = '2024' AND month = '03' AND day = '05'") in sql
        await wait_for(pilot, lambda: len(app.shown.records or []) == len(ROWS),
                       what="rows in the store")
        await pilot.pause()
        text = "\n".join(screen_text(pilot))
        assert "Records from Athena logs.vpc" in text  # the table's title
        assert "athena succeeded" in text  # the status line
        # the table's filter still applies to what Athena returned: one REJECT on port 22
        assert app.table.row_count == 1 and "10.0.0.5" in text
        await press(pilot, "A")
        await wait_for(pilot, lambda: isinstance(app.screen, SqlScreen), what="SQL screen")
        assert "FROM logs.vpc" in "\n".join(screen_text(pilot))


async def test_esc_during_a_slow_query_stops_it_on_athena(athena_env: Any,
                                                          s3_client: Any) -> None:
    s3_server = athena_env
    _slow_queries(s3_server.endpoint_url, 100_000)
    parent = DAY_FOLDER.rstrip("/").rpartition("/")[0] + "/"
    app = FlowtuiApp(f"s3://{s3_server.main_bucket}/{parent}", client=s3_client)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.shown.records is not None, what="screen")
        await _ask_athena(pilot, app, s3_server)
        await wait_for(pilot, lambda: isinstance(app.screen, AthenaTableScreen),
                       what="the table dialog")
        await press(pilot, "enter")  # the defaults: default.vpc_flow_logs
        await wait_for(pilot, lambda: app.status.athena.startswith(
            ("athena queued", "athena running")), timeout=60, what="query polled")
        job = app.athena.job
        assert job is not None and "FROM default.vpc_flow_logs" in job.sql
        await press(pilot, "escape")
        await wait_for(pilot, lambda: not job.running, timeout=60, what="query ended")
        assert "cancelled" in app.status.athena
    mine = [q for q in _queries(s3_server) if q["Query"] == job.sql]
    assert mine and mine[-1]["Status"]["State"] == "CANCELLED"


async def test_a_failing_query_is_one_line_and_the_app_goes_on(athena_env: Any,
                                                               s3_client: Any) -> None:
    s3_server = athena_env
    parent = DAY_FOLDER.rstrip("/").rpartition("/")[0] + "/"
    app = FlowtuiApp(f"s3://{s3_server.main_bucket}/{parent}", client=s3_client,
                     athena=AthenaOptions(table="vpc", workgroup="no-such-group",
                                          output_location="s3://results/q/"))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.shown.records is not None, what="screen")
        await _ask_athena(pilot, app, s3_server)
        await wait_for(pilot, lambda: app.athena.job is not None and not app.athena.job.running,
                       timeout=60, what="query ended")
        await pilot.pause()
        assert app.status.athena == "athena: failed"
        text = "\n".join(screen_text(pilot))
        assert "Athena refused the query: WorkGroup does not exist" in text  # one line
        assert "Traceback" not in text
        await press(pilot, "escape")  # nothing to cancel: Esc goes back to the browser
        assert app.is_running


async def test_a_load_that_takes_the_table_over_stops_the_query(athena_env: Any,
                                                                s3_client: Any) -> None:
    """An Athena query costs by the byte: once a load replaces its rows, it stops."""
    s3_server = athena_env
    _slow_queries(s3_server.endpoint_url, 100_000)
    parent = DAY_FOLDER.rstrip("/").rpartition("/")[0] + "/"
    app = FlowtuiApp(f"s3://{s3_server.main_bucket}/{parent}", client=s3_client,
                     athena=AthenaOptions(table="vpc", output_location="s3://results/q/"))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.shown.records is not None, what="screen")
        await _ask_athena(pilot, app, s3_server)
        await wait_for(pilot, lambda: app.status.athena.startswith(
            ("athena queued", "athena running")), timeout=60, what="query polled")
        job = app.athena.job
        assert job is not None
        app.browser.entry_list.focus()
        await press(pilot, "enter")  # the same folder, loaded this time
        await wait_for(pilot, lambda: isinstance(app.screen, LoadOrQueryScreen), timeout=30,
                       what="the question")
        await press(pilot, "y")
        await wait_for(pilot, lambda: not job.running, timeout=60, what="query stopped")
        assert app.job is not None and app.shown.records is app.job.store
    mine = [q for q in _queries(s3_server) if q["Query"] == job.sql]
    assert mine and mine[-1]["Status"]["State"] == "CANCELLED"


async def test_a_folder_of_two_formats_asks_for_a_flow_log_and_keeps_its_objects(
        athena_env: Any, s3_client: Any, scratch_bucket: tuple[str, Any]) -> None:
    """The demo's kind of day folder (two flow logs, two formats): without
    --athena-flow-log nothing is sent and the app asks which flow log (Athena would read one
    format's lines under the other's columns; tests/test_ui_athena_flow_log.py drives that
    dialog); with it, the table offered is the flow log's own and the SQL keeps its objects
    only (tests/test_athena_mixed.py has the AWS facts and the answers checked in DuckDB)."""
    from test_athena_mixed import CUSTOM_LOG, DEFAULT_LOG, _fill

    s3_server = athena_env
    _slow_queries(s3_server.endpoint_url, 1)
    bucket, raw = scratch_bucket
    day = _fill(s3_server, bucket, raw)[DEFAULT_LOG][0].rpartition("/")[0] + "/"
    parent = day.rstrip("/").rpartition("/")[0] + "/"
    app = FlowtuiApp(f"s3://{bucket}/{parent}", client=s3_client,
                     athena=AthenaOptions(table="vpc", output_location="s3://results/q/"))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.shown.records is not None, what="screen")
        await _ask_athena(pilot, app, s3_server, day, bucket)
        await wait_for(pilot, lambda: isinstance(app.screen, FlowLogScreen), timeout=60,
                       what="which flow log?")
        assert app.athena.job is not None and app.athena.job.sql == ""  # nothing was sent
    _set_results(s3_server.endpoint_url, HEADER, ROWS)
    app = FlowtuiApp(f"s3://{bucket}/{parent}", client=s3_client,
                     athena=AthenaOptions(output_location="s3://results/q/",
                                          flow_logs=(CUSTOM_LOG,)))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.shown.records is not None, what="screen")
        await _ask_athena(pilot, app, s3_server, day, bucket)
        await wait_for(pilot, lambda: isinstance(app.screen, AthenaTableScreen),
                       what="the table dialog")
        await press(pilot, "enter")  # the defaults: default.vpc_flow_logs_fl_0bbb2222
        await wait_for(pilot, lambda: app.athena.job is not None and not app.athena.job.running,
                       timeout=60, what="query finished")
        job = app.athena.job
        assert job is not None and "FROM default.vpc_flow_logs_fl_0bbb2222" in job.sql
        assert f"\"$path\" LIKE '%/AWSLogs/%\\_{CUSTOM_LOG}\\_%' ESCAPE '\\'" in job.sql
        assert job.sql in [q["Query"] for q in _queries(s3_server)]
