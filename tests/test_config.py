"""The config file: one clear line for a mistake (file, line, key), defaults then; the
settings it holds take effect in the app (keymap, mode, columns, bookmarks, saved filters)
and ``flowtui config`` shows what is in effect."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from flowtui import config
from flowtui.ui.app import FlowtuiApp
from flowtui.ui.features.settings import binding_ids, keymap_problem
from tests.cli_fork import flowtui_run
from tests.ui_helpers import screen_text, wait_for

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = next((ROOT / "samples").rglob("*.log.gz"))


def test_the_example_is_a_valid_config() -> None:
    settings = config.parse(config.EXAMPLE)
    assert settings.profile == "logs-readonly" and settings.mode == "decoded"
    assert settings.filters["ssh"] == "reject and port 22"
    assert settings.keymap == {"table.sort": "S"}
    # every id the example remaps is a real binding id of the app
    assert keymap_problem(settings.keymap, Path("x")) is None


@pytest.mark.parametrize(("text", "line", "says"), [
    ('[aws]\nregion = "eu-west-1"\n\n[display]\nmode = "fancy"\n', 5,
     "[display] mode: 'fancy': must be raw or decoded"),
    ('[aws]\nprofle = "x"\n', 2, "[aws] profle: unknown key (did you mean profile?)"),
    ('[filters]\nssh = "reject and prot 22"\n', 2, "[filters] ssh: not a filter: unknown field"),
    ('[display]\ncolumns = ["srcadr"]\n', 2, "unknown field 'srcadr' (did you mean srcaddr?)"),
    ('\n[colours]\nx = "y"\n', 2, "unknown section [colours]"),
    ('[bookmarks]\nprod = "bucket/prefix"\n', 2, "a bookmark is an s3://bucket/prefix location"),
    ('[aws]\nregion = 5\n', 2, "[aws] region: must be a non-empty string"),
    ('[athena]\ntable = "vpc"\nflow_log = "vpc-0a1"\n', 3,
     "[athena] flow_log: 'vpc-0a1': not a flow-log id"),
])
def test_a_mistake_is_one_line_naming_the_line_and_the_key(text: str, line: int, says: str
                                                          ) -> None:
    with pytest.raises(config.ConfigError) as caught:
        config.parse(text, "c.toml")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"c.toml line {line}: ")
    assert says in message


def test_bad_toml_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[aws]\nregion = "x"\nprofile = \n')
    loaded = config.load(path)
    assert loaded.settings == config.Settings()  # the app runs on its defaults
    assert loaded.error is not None and "line 3" in loaded.error
    assert loaded.error.endswith("using the defaults") and "\n" not in loaded.error


def test_load_never_raises(tmp_path: Path) -> None:
    assert config.load(tmp_path / "missing.toml").exists is False
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    loaded = config.load(folder)
    assert loaded.error is not None and loaded.settings == config.Settings()
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    assert "not UTF-8" in (config.load(binary).error or "")


def test_the_path_follows_xdg_and_the_override() -> None:
    assert config.default_path({"XDG_CONFIG_HOME": "/x"}) == Path("/x/flowtui/config.toml")
    assert config.default_path({"HOME": "/h"}) == Path("/h/.config/flowtui/config.toml")
    assert config.default_path({config.ENV_PATH: "/a/b.toml", "XDG_CONFIG_HOME": "/x"}) \
        == Path("/a/b.toml")


def test_render_reads_back_to_the_same_settings() -> None:
    settings = config.parse(config.EXAMPLE)
    assert config.parse(config.render(settings)) == settings
    odd = config.Settings(filters={"q": 'srcaddr = "10.0.0.1" and action = REJECT'},
                          bookmarks={"b": "s3://b/\\x"})
    assert config.parse(config.render(odd)) == odd


def test_the_athena_flow_log_setting_reaches_the_app_and_the_flag_wins(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``[athena] flow_log``: the flow log the app's Athena queries are for where several
    formats write (as ``--athena-flow-log``), so a user who always means one flow log is
    not asked in every session."""
    from flowtui.cli import launch
    from flowtui.ui import run

    path = tmp_path / "config.toml"
    path.write_text('[athena]\nflow_log = "fl-0bbb2222"\n')
    monkeypatch.setenv(config.ENV_PATH, str(path))
    opened: list[Any] = []

    def fake_run(target: str | None, **options: Any) -> int:
        opened.append(options["athena"])
        return 0

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(run, "run", fake_run)
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr(sys, "stdout", Terminal())
    assert launch.main(["s3://b/p/"]) == 0
    assert launch.main(["s3://b/p/", "--athena-flow-log", "fl-0aaa1111"]) == 0
    assert [o.flow_logs for o in opened] == [("fl-0bbb2222",), ("fl-0aaa1111",)]


def test_unknown_keymap_id_is_refused_with_the_nearest(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[display]\nmode = "raw"\n[keymap]\n"table.srot" = "S"\n')
    problem = keymap_problem({"table.srot": "S"}, path)
    assert problem == (f"{path} line 4: [keymap] table.srot: no key binding has this id "
                       "(did you mean table.sort?); using the defaults")
    assert {"table.sort", "app.help", "prompt.close", "columns.apply"} <= binding_ids()


def _run_config(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(home)}
    env.pop(config.ENV_PATH, None)
    return flowtui_run("config", *args, cwd=ROOT, env=env, timeout=60)


def test_flowtui_config_prints_the_path_and_what_is_in_effect(tmp_path: Path) -> None:
    absent = _run_config(tmp_path)
    assert absent.returncode == 0
    assert absent.stdout.splitlines()[0] == \
        f"# {tmp_path / 'flowtui' / 'config.toml'} (absent: defaults)"
    (tmp_path / "flowtui").mkdir()
    (tmp_path / "flowtui" / "config.toml").write_text(_run_config(tmp_path, "--example").stdout)
    used = _run_config(tmp_path)
    assert used.returncode == 0 and "(used)" in used.stdout.splitlines()[0]
    assert 'profile = "logs-readonly"' in used.stdout and '"ssh" = "reject and port 22"' \
        in used.stdout
    (tmp_path / "flowtui" / "config.toml").write_text('[keymap]\n"app.hlep" = "f2"\n')
    bad = _run_config(tmp_path)
    assert bad.returncode == 2 and "(not used)" in bad.stdout.splitlines()[0]
    assert bad.stderr.count("\n") == 1
    assert "line 2: [keymap] app.hlep: no key binding has this id (did you mean app.help?)" \
        in bad.stderr


@pytest.mark.asyncio
async def test_the_app_applies_keymap_mode_columns_and_saved_filters() -> None:
    settings = config.parse('[display]\nmode = "decoded"\n'
                            'columns = ["srcaddr", "dstaddr", "dstport", "action"]\n'
                            '[keymap]\n"app.help" = "f2"\n'
                            '[filters]\nrej = "reject"\n')
    app = FlowtuiApp(str(SAMPLE), settings=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.table.row_count > 0, what="rows")
        assert app.table.decoded
        header = next(r for r in screen_text(pilot) if "srcaddr" in r)
        assert header.index("srcaddr") < header.index("dstaddr") < header.index("dstport") \
            < header.index("action")
        assert "srcport" not in header and "bytes" not in header
        app.table.focus()
        await pilot.press("question_mark")  # no longer help: the keymap moved it
        await pilot.pause()
        assert not any("flowtui keys" in r for r in screen_text(pilot))
        await pilot.press("f2")
        await wait_for(pilot, lambda: any("flowtui keys" in r for r in screen_text(pilot)),
                       what="help on f2")
        await pilot.press("escape")
        total = app.table.row_count
        app.filters.apply(settings.filters["rej"])
        await wait_for(pilot, lambda: app.table.row_count < total, what="saved filter")


@pytest.mark.asyncio
async def test_a_bad_keymap_id_is_one_toast_and_the_defaults() -> None:
    settings = config.parse('[display]\nmode = "decoded"\n[keymap]\n"app.hlep" = "f2"\n')
    app = FlowtuiApp(str(SAMPLE), settings=settings)
    toasts: list[tuple[str, str]] = []
    real = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        toasts.append((kwargs.get("title", ""), message))
        real(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.table.row_count > 0, what="rows")
        await wait_for(pilot, lambda: toasts, what="toast")
        [(title, message)] = toasts
        assert title == "Config file not used" and "\n" not in message
        assert "[keymap] app.hlep: no key binding has this id (did you mean app.help?)" \
            in message
        assert not app.table.decoded  # nothing of the file was used
        app.table.focus()
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: any("flowtui keys" in r for r in screen_text(pilot)),
                       what="help on ? (the default)")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_a_keymap_entry_remaps_a_key_in_a_real_terminal(tmp_path: Path) -> None:
    """As a user meets it: the file under XDG_CONFIG_HOME, the app in tmux, keys typed."""
    (tmp_path / "flowtui").mkdir()
    (tmp_path / "flowtui" / "config.toml").write_text('[keymap]\n"app.help" = "f2"\n')
    session = f"flowtui-config-{os.getpid()}"
    command = f"cd {ROOT} && {sys.executable} -m flowtui {SAMPLE}"

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", *args], capture_output=True, text=True,
                              check=False).stdout

    def wait_screen(text: str, present: bool = True, timeout: float = 45.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = tmux("capture-pane", "-t", session, "-p")
            if (text in screen) == present:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} {'never showed' if present else 'stayed'}:\n{screen}")

    tmux("kill-session", "-t", session)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                    "-e", f"XDG_CONFIG_HOME={tmp_path}", "-e", f"XDG_STATE_HOME={tmp_path}",
                    command], check=True, env=env)
    try:
        wait_screen("ACCEPT")
        tmux("send-keys", "-t", session, "F2")
        wait_screen("flowtui keys")
        screen = tmux("capture-pane", "-t", session, "-p")
        assert "Config file not used" not in screen
        # ? lists the key the keymap gave (not the default ?, f1)
        assert any(re.search(r"\bf2\s+Help\s+app\.help\b", line)
                   for line in screen.splitlines()), screen
        tmux("send-keys", "-t", session, "Escape")
        wait_screen("flowtui keys", present=False)
        # and so does the palette
        tmux("send-keys", "-t", session, "C-p")
        tmux("send-keys", "-t", session, "-l", "help: keys")
        wait_screen("Every key binding (f2)")
        tmux("send-keys", "-t", session, "Escape")
    finally:
        tmux("kill-session", "-t", session)
