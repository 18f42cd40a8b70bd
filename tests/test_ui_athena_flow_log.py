"""'Query on Athena' on a folder where flow logs of two formats write: the app lists the flow
logs found and the user picks one with real keys, against moto's S3 and Athena on loopback.

AWS facts (tests/test_athena_mixed.py has them with their sources and the answers checked in
DuckDB): several flow logs may deliver into one prefix, each with its own format, each object
named with its flow-log id (flow-log-format.md §5.2, §6.2); "Athena reads all data stored in the
Amazon S3 folder that you specify" and a text table reads fields by position (Athena user guide),
so a table is for one format, and its queries keep that flow log's objects by ``"$path"``.
Before, the app refused such a folder and named a start-up option: the user had to quit.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import CUSTOM_FIELDS
from test_athena_engine import HEADER, ROWS, _set_results, _slow_queries
from test_athena_mixed import CUSTOM_LOG, DEFAULT_LOG, _fill
from test_ui_athena import DAY_FOLDER, _ask_athena, _queries, athena_env  # noqa: F401

from flowtui.ui.app import FlowtuiApp
from flowtui.ui.features.jobs.athena import AthenaOptions
from flowtui.ui.widgets.athena.dialogs import AthenaTableScreen, FlowLogScreen
from tests.ui_helpers import press, screen_text, wait_for

#: athena_env (imported): moto's Athena for the app, and every folder asks "load or query?"
pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("athena_env")]


def _path_term(flow_log: str) -> str:
    return f"\"$path\" LIKE '%/AWSLogs/%\\_{flow_log}\\_%' ESCAPE '\\'"


async def _mixed_app(s3_server: Any, scratch_bucket: tuple[str, Any],
                     options: AthenaOptions) -> tuple[FlowtuiApp, str, str]:
    bucket, raw = scratch_bucket
    day = _fill(s3_server, bucket, raw)[DEFAULT_LOG][0].rpartition("/")[0] + "/"
    parent = day.rstrip("/").rpartition("/")[0] + "/"
    return FlowtuiApp(f"s3://{bucket}/{parent}", client=s3_server.client(),
                      athena=options), bucket, day


async def _the_chooser(pilot: Any, app: FlowtuiApp) -> FlowLogScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, FlowLogScreen), timeout=60,
                   what="the flow-log dialog")
    assert isinstance(app.screen, FlowLogScreen)
    return app.screen


async def _finished(pilot: Any, app: FlowtuiApp) -> str:
    await wait_for(pilot, lambda: app.athena.job is not None and app.athena.job.sql != ""
                   and not app.athena.job.running, timeout=60, what="query finished")
    assert app.athena.job is not None
    return app.athena.job.sql


async def _type(pilot: Any, text: str) -> None:
    """``text`` as one write from the terminal (a paste or a fast typist)."""
    await press(pilot, *text)


async def test_arrows_pick_a_flow_log_and_the_query_is_that_flow_logs(
        s3_server: Any, scratch_bucket: tuple[str, Any]) -> None:
    """The dialog lists each flow log with its format (as the CLI's refusal names them);
    Down then Enter queries the second one's table (vpc_flow_logs_fl_…, the name
    ``athena ddl --flow-log`` gives it) keeping its objects only, without a restart."""
    _slow_queries(s3_server.endpoint_url, 1)
    _set_results(s3_server.endpoint_url, HEADER, ROWS)
    app, bucket, day = await _mixed_app(s3_server, scratch_bucket,
                                        AthenaOptions(output_location="s3://results/q/"))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.shown.records is not None, what="screen")
        await _ask_athena(pilot, app, s3_server, day, bucket)
        await wait_for(pilot, lambda: isinstance(app.screen, AthenaTableScreen),
                       what="the table dialog")
        await press(pilot, "enter")  # the default name: vpc_flow_logs
        chooser = await _the_chooser(pilot, app)
        text = "\n".join(screen_text(pilot))
        assert f"{DEFAULT_LOG}  the default format" in text
        assert f"{CUSTOM_LOG}  {len(CUSTOM_FIELDS)} fields" in text
        assert "table: default.vpc_flow_logs_fl_0aaa1111" in text
        assert app.athena.job is not None and app.athena.job.sql == ""  # nothing sent yet
        await press(pilot, "down")
        assert chooser.query_one("#flow-log-id").value == CUSTOM_LOG  # type: ignore[attr-defined]
        assert "table: default.vpc_flow_logs_fl_0bbb2222" in "\n".join(screen_text(pilot))
        await press(pilot, "enter")
        sql = await _finished(pilot, app)
        assert "FROM default.vpc_flow_logs_fl_0bbb2222" in sql
        assert _path_term(CUSTOM_LOG) in sql and DEFAULT_LOG not in sql
        assert "flow_direction" in sql  # the custom format's columns
        assert sql in [q["Query"] for q in _queries(s3_server)]
        await wait_for(pilot, lambda: "athena succeeded" in app.status.athena,
                       what="succeeded")
        # the choice holds for the session: the folder again asks nothing more
        app.browser.entry_list.focus()
        first = app.athena.job
        await _ask_athena(pilot, app, s3_server, day, bucket)
        await wait_for(pilot, lambda: app.athena.job is not first, what="second query")
        again = await _finished(pilot, app)
        assert again == sql and not isinstance(app.screen, FlowLogScreen)


async def test_a_typed_id_is_checked_against_those_found_and_keys_stay_in_the_dialog(
        s3_server: Any, scratch_bucket: tuple[str, Any]) -> None:
    """Typing: a bad id is refused in one line and the dialog stays; letters that are app
    keys elsewhere (q quits, r switches raw/decoded, ? help, p, x) land in the field; then
    the right id queries that flow log's table, named by the user (kept as given)."""
    _slow_queries(s3_server.endpoint_url, 1)
    _set_results(s3_server.endpoint_url, HEADER, ROWS)
    app, bucket, day = await _mixed_app(
        s3_server, scratch_bucket, AthenaOptions(database="logs", table="mine",
                                                 output_location="s3://results/q/"))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.shown.records is not None, what="screen")
        decoded = app.table.decoded
        await _ask_athena(pilot, app, s3_server, day, bucket)
        chooser = await _the_chooser(pilot, app)
        field = chooser.query_one("#flow-log-id")
        error = chooser.query_one("#flow-log-error")
        await _type(pilot, "fl-0qrpx")
        await press(pilot, "enter")
        assert field.value == "fl-0qrpx"  # type: ignore[attr-defined]
        assert app.is_running and app.screen is chooser and app.table.decoded == decoded
        said = str(error.render())
        assert said == (f"fl-0qrpx: not a flow log of this folder ({DEFAULT_LOG}, "
                        f"{CUSTOM_LOG})"), said
        await press(pilot, "ctrl+u")
        await _type(pilot, "x? q")
        await press(pilot, "enter")
        assert app.screen is chooser
        said = str(error.render())
        assert said == f"'x? q': not a flow-log id (fl- and lower-case hex); one of " \
            f"{DEFAULT_LOG}, {CUSTOM_LOG}", said
        assert str(chooser.query_one("#flow-log-table").render()) == ""  # no table for it
        await press(pilot, "ctrl+u")
        await _type(pilot, DEFAULT_LOG)
        assert "table: logs.mine" in "\n".join(screen_text(pilot))
        await press(pilot, "enter")
        sql = await _finished(pilot, app)
        assert "FROM logs.mine" in sql and _path_term(DEFAULT_LOG) in sql
        assert CUSTOM_LOG not in sql and "flow_direction" not in sql
        assert not [q for q in _queries(s3_server) if "qrpx" in q["Query"]]


async def test_esc_leaves_the_refusal_in_one_line_and_sends_nothing(
        s3_server: Any, scratch_bucket: tuple[str, Any]) -> None:
    app, bucket, day = await _mixed_app(
        s3_server, scratch_bucket, AthenaOptions(table="vpc", output_location="s3://q/"))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.shown.records is not None, what="screen")
        await _ask_athena(pilot, app, s3_server, day, bucket)
        await _the_chooser(pilot, app)
        await press(pilot, "escape")
        await wait_for(pilot, lambda: app.athena.job is not None and not app.athena.job.running,
                       what="refused")
        await pilot.pause()
        assert app.status.athena == "athena: failed"
        said = app.table.placeholder  # what the records area says, in one line
        assert "\n" not in said and said.startswith(f"s3://{bucket}/"), said
        assert f"formats write here ({DEFAULT_LOG}: the default format; {CUSTOM_LOG}: " in said
        assert said.endswith("choose one (a on the folder asks again), or start flowtui "
                             "with --athena-flow-log fl-…"), said
        assert app.athena.job is not None and app.athena.job.sql == ""  # nothing was sent


async def test_a_flow_log_not_in_the_folder_offers_those_that_are(
        s3_server: Any, scratch_bucket: tuple[str, Any]) -> None:
    """``--athena-flow-log`` (or the config's ``[athena] flow_log``) naming a flow log that
    has no object here: the dialog says so and lists the folder's."""
    _slow_queries(s3_server.endpoint_url, 1)
    _set_results(s3_server.endpoint_url, HEADER, ROWS)
    app, bucket, day = await _mixed_app(
        s3_server, scratch_bucket, AthenaOptions(output_location="s3://results/q/",
                                                 flow_logs=("fl-0ccc3333",)))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.shown.records is not None, what="screen")
        await _ask_athena(pilot, app, s3_server, day, bucket)
        await wait_for(pilot, lambda: isinstance(app.screen, AthenaTableScreen),
                       what="the table dialog")
        await press(pilot, "enter")  # vpc_flow_logs_fl_0ccc3333, offered
        await _the_chooser(pilot, app)
        text = " ".join(screen_text(pilot))
        assert "No object of flow log fl-0ccc3333" in text and CUSTOM_LOG in text
        await press(pilot, "down", "enter")
        sql = await _finished(pilot, app)
        assert "FROM default.vpc_flow_logs_fl_0bbb2222" in sql and _path_term(CUSTOM_LOG) in sql


async def test_two_flow_logs_of_two_formats_named_offer_a_choice(
        s3_server: Any, scratch_bucket: tuple[str, Any]) -> None:
    """``--athena-flow-log`` naming both flow logs (of two formats): one table can't read
    both, so the dialog asks for one (before: a refusal naming the CLI's --flow-log)."""
    app, bucket, day = await _mixed_app(
        s3_server, scratch_bucket, AthenaOptions(table="vpc", output_location="s3://q/",
                                                 flow_logs=(DEFAULT_LOG, CUSTOM_LOG)))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.shown.records is not None, what="screen")
        await _ask_athena(pilot, app, s3_server, day, bucket)
        chooser = await _the_chooser(pilot, app)
        said = str(chooser.query_one("#flow-log-reason").render())
        assert said.startswith(f"Flow logs {DEFAULT_LOG}, {CUSTOM_LOG} (--athena-flow-log")
        assert "write different formats, and one table reads one" in said, said
        await press(pilot, "escape")  # the refusal names the app's option
        await wait_for(pilot, lambda: app.athena.job is not None and not app.athena.job.running,
                       what="refused")
        assert app.table.placeholder.startswith(f"--athena-flow-log {DEFAULT_LOG}, {CUSTOM_LOG}:")


async def test_a_folder_of_one_format_asks_no_flow_log(s3_server: Any, s3_client: Any) -> None:
    """Nothing changes where every flow log writes one format: no dialog, no "$path"."""
    _slow_queries(s3_server.endpoint_url, 1)
    _set_results(s3_server.endpoint_url, HEADER, ROWS)
    parent = DAY_FOLDER.rstrip("/").rpartition("/")[0] + "/"
    app = FlowtuiApp(f"s3://{s3_server.main_bucket}/{parent}", client=s3_client,
                     athena=AthenaOptions(output_location="s3://results/q/"))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.shown.records is not None, what="screen")
        await _ask_athena(pilot, app, s3_server)
        await wait_for(pilot, lambda: isinstance(app.screen, AthenaTableScreen),
                       what="the table dialog")
        await press(pilot, "enter")
        sql = await _finished(pilot, app)  # a dialog would hold the query: no end
        assert re.search(r"FROM default\.vpc_flow_logs\b", sql) and "$path" not in sql
        assert not isinstance(app.screen, FlowLogScreen)
