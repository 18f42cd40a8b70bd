"""The browser's rough edges, driven by keys against the moto server: where the cursor
starts, ``n`` for today, ``:`` for a typed path, Hive folder names."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from flowtui.ui.app import FlowtuiApp
from flowtui.ui.widgets.browser.sources import entry_location
from tests.conftest import text_object
from tests.ui_helpers import DAY_PREFIX, press, screen_text, wait_for

pytestmark = pytest.mark.asyncio

REGION = "AWSLogs/111111111111/vpcflowlogs/us-east-1/"
HIVE_REGION = ("hive/AWSLogs/aws-account-id=333333333333/aws-service=vpcflowlogs/"
               "aws-region=ap-southeast-2/")


def recording(app: FlowtuiApp) -> list[str]:
    """Every toast's text (the real notify still runs)."""
    said: list[str] = []
    real = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        said.append(message)
        real(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return said


async def _listed(pilot: Any, app: FlowtuiApp, prefix: str) -> None:
    browser = app.browser
    await wait_for(pilot, lambda: browser.location is not None
                   and browser.location.prefix == prefix
                   and not browser.fetching, what=f"{prefix} listed")


def _status(pilot: Any) -> str:
    return screen_text(pilot)[-2]


async def test_cursor_starts_on_the_newest_date_folder(s3_server: Any, s3_client: Any) -> None:
    bucket = s3_server.main_bucket
    month = REGION + "2024/03/"
    app = FlowtuiApp(f"s3://{bucket}/{month}", client=s3_client)
    async with app.run_test(size=(120, 30)) as pilot:
        await _listed(pilot, app, month)
        keys = [e.key for e in app.browser.entries]
        assert keys == [month + "04/", month + "05/", month + "06/"]
        entry = app.browser.highlighted_entry()
        assert entry is not None and entry.key == month + "06/"
        # up a level: the year folder's only month, then the days again start on the newest
        await press(pilot, "left")
        await _listed(pilot, app, REGION + "2024/")
        await press(pilot, "right")
        await _listed(pilot, app, month)
        entry = app.browser.highlighted_entry()
        assert entry is not None and entry.key == month + "06/"


async def test_non_date_folders_start_at_the_top(s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(f"s3://{s3_server.main_bucket}/", client=s3_client)
    async with app.run_test(size=(120, 30)) as pilot:
        await _listed(pilot, app, "")
        assert app.browser.entry_list.highlighted == 0


async def test_n_opens_todays_folder_under_the_region(s3_server: Any, s3_client: Any,
                                                      raw_s3: Any) -> None:
    bucket = s3_server.main_bucket
    now = datetime.now(UTC)
    today = f"edges/{REGION}{now:%Y/%m/%d}/"
    key = (f"{today}111111111111_vpcflowlogs_us-east-1_fl-0aaa1111bbbb2222c_"
           f"{now:%Y%m%dT%H}00Z_ab12cd34.log.gz")
    raw_s3.put_object(Bucket=bucket, Key=key, Body=text_object([]))
    try:
        app = FlowtuiApp(f"s3://{bucket}/edges/{REGION}", client=s3_client)
        async with app.run_test(size=(120, 30)) as pilot:
            await _listed(pilot, app, f"edges/{REGION}")
            await press(pilot, "n")
            await _listed(pilot, app, today)
            assert [e.key for e in app.browser.entries] == [key]
            assert f"{now:%Y/%m/%d}/" in screen_text(pilot)[1]  # the crumb
    finally:
        raw_s3.delete_object(Bucket=bucket, Key=key)


async def test_n_from_a_day_folder_and_in_hive_layout(s3_server: Any, s3_client: Any) -> None:
    bucket = s3_server.main_bucket
    today = datetime.now(UTC).date()
    app = FlowtuiApp(f"s3://{bucket}/{DAY_PREFIX}", client=s3_client)
    async with app.run_test(size=(120, 30)) as pilot:
        await _listed(pilot, app, DAY_PREFIX)
        await press(pilot, "n")  # from inside the region folder, not only at it
        await wait_for(pilot, lambda: app.browser.location is not None
                       and app.browser.location.prefix == f"{REGION}{today:%Y/%m/%d}/"
                       and not app.browser.fetching, what="today's folder")
        assert "(empty)" in "\n".join(screen_text(pilot))  # no log for today: it says so
        app.browser.go_to(app.browser.location.__class__("s3", bucket, HIVE_REGION))
        await _listed(pilot, app, HIVE_REGION)
        await press(pilot, "n")
        await wait_for(pilot, lambda: app.browser.location is not None and
                       app.browser.location.prefix == HIVE_REGION
                       + f"year={today:%Y}/month={today:%m}/day={today:%d}/", what="hive today")


async def test_n_says_why_not_above_a_region_folder(s3_server: Any, s3_client: Any) -> None:
    app = FlowtuiApp(f"s3://{s3_server.main_bucket}/AWSLogs/", client=s3_client)
    said = recording(app)
    async with app.run_test(size=(120, 30)) as pilot:
        await _listed(pilot, app, "AWSLogs/")
        await press(pilot, "n")
        await wait_for(pilot, lambda: said, what="a reason")
        assert "region folder" in said[-1]
        assert app.browser.location is not None and app.browser.location.prefix == "AWSLogs/"


async def _path_prompt(pilot: Any, app: FlowtuiApp) -> Any:
    """The day folder listed, then ``:``: the path prompt, open."""
    await _listed(pilot, app, DAY_PREFIX)
    prompt = app.main_screen.prompt
    await press(pilot, "colon")
    await wait_for(pilot, lambda: prompt.is_open, what="path prompt")
    return prompt


async def test_colon_lists_a_typed_path(s3_server: Any, s3_client: Any) -> None:
    bucket = s3_server.main_bucket
    app = FlowtuiApp(f"s3://{bucket}/{DAY_PREFIX}", client=s3_client)
    async with app.run_test(size=(120, 30)) as pilot:
        prompt = await _path_prompt(pilot, app)
        prompt.input.value = ""
        await press(pilot, *"s3://")
        await wait_for(pilot, lambda: "no bucket" in prompt.message, what="error")
        await press(pilot, "enter")  # not valid: nothing happens, nothing is lost
        assert prompt.is_open and prompt.input.value == "s3://"
        await press(pilot, *f"{bucket}/team/net/AWSLogs", "enter")
        await _listed(pilot, app, "team/net/AWSLogs/")
        assert not prompt.is_open and app.browser.entry_list.has_focus
        assert app.browser.location is not None and app.browser.location.bucket == bucket
        # a prefix without s3:// is in the bucket shown
        await press(pilot, "colon")
        await wait_for(pilot, lambda: prompt.is_open, what="path prompt")
        prompt.input.value = ""
        await press(pilot, *"/hive/AWSLogs/", "enter")
        await _listed(pilot, app, "hive/AWSLogs/")
        # Esc closes it and goes back to the browser
        await press(pilot, "colon")
        await wait_for(pilot, lambda: prompt.is_open, what="path prompt")
        await press(pilot, "escape")
        await wait_for(pilot, lambda: not prompt.is_open, what="closed")
        assert app.browser.entry_list.has_focus
        assert app.browser.location.prefix == "hive/AWSLogs/"


async def test_colon_at_80x24_shows_the_listing_with_the_focus_in_it(
        s3_server: Any, s3_client: Any) -> None:
    """At 80x24 the browser gives way while the prompt bar is open; Enter on a path listed it
    in a browser left hidden with the focus nowhere (Esc did nothing, the footer had no pane
    keys): the typed place was out of sight until `b`. Now it shows, its list focused."""
    bucket = s3_server.main_bucket
    app = FlowtuiApp(f"s3://{bucket}/{DAY_PREFIX}", client=s3_client)
    async with app.run_test(size=(80, 24)) as pilot:
        prompt = await _path_prompt(pilot, app)
        prompt.input.value = ""
        await press(pilot, *f"s3://{bucket}/team/net/AWSLogs", "enter")
        await _listed(pilot, app, "team/net/AWSLogs/")
        await wait_for(pilot, lambda: app.browser.display
                       and app.browser.entry_list.has_focus, what="the browser focused")
        await pilot.pause()
        assert app.browser.display and app.browser.entry_list.has_focus


async def test_hive_folders_show_their_label_and_the_status_line_the_name(
        s3_server: Any, s3_client: Any) -> None:
    bucket = s3_server.main_bucket
    folder = "hive/AWSLogs/aws-account-id=333333333333/aws-service=vpcflowlogs/"
    app = FlowtuiApp(f"s3://{bucket}/{folder}", client=s3_client)
    async with app.run_test(size=(120, 30)) as pilot:
        await _listed(pilot, app, folder)
        listing = "\n".join(line[:34] for line in screen_text(pilot)[:-2])  # the list
        assert "region ap-southeast-2" in listing
        assert "aws-region=" not in listing
        await wait_for(pilot, lambda: "aws-region=ap-southeast-2/" in _status(pilot),
                       what="full name on the status line")
        await press(pilot, "tab")  # off the browser: the name goes
        await wait_for(pilot, lambda: "aws-region=" not in _status(pilot), what="name gone")
        # a default-layout folder is shown whole and says nothing on the status line
        await press(pilot, "shift+tab")
        await press(pilot, "colon")
        app.main_screen.prompt.input.value = ""
        await press(pilot, *f"s3://{bucket}/{REGION[:-len('us-east-1/')]}", "enter")
        await wait_for(pilot, lambda: any(entry_location(e).endswith("/us-east-1/")
                                          for e in app.browser.entries), what="regions")
        assert "us-east-1/ region us-east-1" in "\n".join(screen_text(pilot))
        await wait_for(pilot, lambda: app.status.entry_name == "", what="no name")


async def test_help_and_palette_list_the_browser_keys(s3_server: Any, s3_client: Any) -> None:
    from flowtui.ui.commands import app_commands
    from flowtui.ui.help import HelpScreen

    bucket = s3_server.main_bucket
    app = FlowtuiApp(f"s3://{bucket}/{REGION}", client=s3_client)
    async with app.run_test(size=(120, 60)) as pilot:
        await _listed(pilot, app, REGION)
        names = {command.name: command for command in app_commands(app)}
        assert {"Go to today's folder", "Go to path"} <= set(names)
        names["Go to today's folder"].run()  # the palette's command does what n does
        today = datetime.now(UTC).date()
        await _listed(pilot, app, f"{REGION}{today:%Y/%m/%d}/")
        await press(pilot, "question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        text = "\n".join(screen_text(pilot))
        assert "Today (UTC)" in text and "Go to path" in text


async def test_up_from_a_double_slash_folder_is_its_parent(s3_server: Any, s3_client: Any,
                                                           raw_s3: Any) -> None:
    """``a//`` is a folder of ``a/`` (S3 keys may hold empty parts): up from it shows ``a/``
    with ``a//`` under the cursor, not the bucket root two levels away."""
    bucket = s3_server.main_bucket
    raw_s3.put_object(Bucket=bucket, Key="dbl//x.log.gz", Body=text_object([]))
    raw_s3.put_object(Bucket=bucket, Key="dbl/y.log.gz", Body=text_object([]))
    app = FlowtuiApp(f"s3://{bucket}/dbl//", client=s3_client)
    async with app.run_test(size=(120, 30)) as pilot:
        await _listed(pilot, app, "dbl//")
        await press(pilot, "backspace")
        await _listed(pilot, app, "dbl/")
        entry = app.browser.highlighted_entry()
        assert entry is not None and entry.key == "dbl//"


async def test_an_s3_url_typed_after_the_shown_path_lists_that_url(s3_server: Any,
                                                                 s3_client: Any) -> None:
    """``:`` opens with the folder shown; a URL typed or pasted after it (the bar did not
    clear) listed 's3://b/day/s3://b/team/…', an empty place. The last s3:// starts over,
    as a second / does in a shell's or Emacs's file prompt."""
    bucket = s3_server.main_bucket
    app = FlowtuiApp(f"s3://{bucket}/{DAY_PREFIX}", client=s3_client)
    async with app.run_test(size=(120, 30)) as pilot:
        prompt = await _path_prompt(pilot, app)
        assert prompt.input.value == f"s3://{bucket}/{DAY_PREFIX}"
        await press(pilot, *f"s3://{bucket}/team/net/AWSLogs")
        await wait_for(pilot, lambda: f"Enter lists s3://{bucket}/team/net/AWSLogs/"
                       in prompt.message, what="the hint names the typed URL")
        await press(pilot, "enter")
        await _listed(pilot, app, "team/net/AWSLogs/")


async def test_up_a_level_lands_on_the_folder_it_came_from(s3_server: Any,
                                                          s3_client: Any) -> None:
    """``h`` goes up with the cursor on the folder just left, as ranger, lf and mc do, also
    when that folder was reached by ``:`` (or ``n``): the parent's remembered cursor won, so
    after ``:`` …/03/05/ and ``h`` the cursor sat on 04 (where it had been), and Enter loaded
    another day than the one just looked at."""
    bucket = s3_server.main_bucket
    month = REGION + "2024/03/"
    app = FlowtuiApp(f"s3://{bucket}/{month}", client=s3_client)
    async with app.run_test(size=(120, 30)) as pilot:
        await _listed(pilot, app, month)
        await press(pilot, "up", "up")  # 06 → 04, remembered when the month is left
        entry = app.browser.highlighted_entry()
        assert entry is not None and entry.key == month + "04/"
        prompt = app.main_screen.prompt
        await press(pilot, "colon")
        await wait_for(pilot, lambda: prompt.is_open, what="path prompt")
        prompt.input.value = ""
        await press(pilot, *f"s3://{bucket}/{month}05/", "enter")
        await _listed(pilot, app, month + "05/")
        await press(pilot, "h")
        await _listed(pilot, app, month)
        entry = app.browser.highlighted_entry()
        assert entry is not None and entry.key == month + "05/"
