"""Filter history is private, bounded, shared safely and never a symlink (issue 20.13).

Filters hold addresses, and jump hosts are shared: the file is 0600 in a 0700 folder. A
300 MB history must not cost 300 MB when ``/`` opens (only the tail is read); two running
instances must not lose each other's entries; a planted ``.part`` symlink or a history
that is a symlink must be neither followed nor read.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tracemalloc
from pathlib import Path

from flowtui.ui.widgets.prompt.history import History, state_dir

ROOT = Path(__file__).resolve().parent.parent


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_the_history_is_private(_state_dir: Path) -> None:
    History("filter").add("src host 10.0.0.5")
    assert _mode(state_dir()) == 0o700
    assert _mode(state_dir() / "filter-history") == 0o600


def test_an_existing_world_readable_history_is_made_private(_state_dir: Path) -> None:
    folder = state_dir()
    folder.mkdir(mode=0o755, parents=True)
    os.chmod(folder, 0o755)
    path = folder / "filter-history"
    path.write_text("port 22\n")
    os.chmod(path, 0o644)
    history = History("filter")
    assert history.entries == ["port 22"]
    history.add("port 443")
    assert (_mode(folder), _mode(path)) == (0o700, 0o600)


def test_a_huge_history_is_read_by_its_tail(_state_dir: Path) -> None:
    folder = state_dir()
    folder.mkdir(parents=True)
    path = folder / "filter-history"
    with path.open("w") as out:
        for n in range(1_500_000):  # ~30 MB
            out.write(f"src host 10.{n % 250}.{n // 250 % 250}.{n % 7} and port {n}\n")
    tracemalloc.start()
    try:
        entries = History("filter").entries
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(entries) == 200 and entries[-1].endswith("port 1499999")
    assert peak < 5 << 20, f"{peak / 2**20:.0f} MB to read the history"


_ADDER = """
import sys
from flowtui.ui.widgets.prompt.history import History
history = History("filter", limit=1000)
for n in range(100):
    history.add(f"port {sys.argv[1]}{n:03d}")
"""


def test_two_instances_lose_nothing(_state_dir: Path) -> None:
    env = dict(os.environ, XDG_STATE_HOME=str(_state_dir))
    adders = [subprocess.Popen([sys.executable, "-c", _ADDER, tag], cwd=ROOT, env=env)
              for tag in ("1", "2")]
    assert [adder.wait(120) for adder in adders] == [0, 0]
    entries = History("filter", limit=1000).entries
    assert sorted(entries) == sorted(f"port {tag}{n:03d}" for tag in "12" for n in range(100))


def test_a_planted_part_symlink_is_not_followed(_state_dir: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    folder = state_dir()
    folder.mkdir(parents=True)
    (folder / "filter-history.part").symlink_to(victim)
    History("filter").add("port 22")
    assert victim.read_text() == "precious\n"
    assert History("filter").entries == ["port 22"]


def test_a_symlinked_history_is_neither_read_nor_written(_state_dir: Path,
                                                         tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("not a filter: someone else's file\n")
    folder = state_dir()
    folder.mkdir(parents=True)
    (folder / "filter-history").symlink_to(secret)
    history = History("filter")
    assert history.entries == []
    history.add("port 22")
    assert secret.read_text() == "not a filter: someone else's file\n"


def test_a_grown_history_is_compacted_to_its_last_entries(_state_dir: Path) -> None:
    from flowtui.ui.widgets.prompt.history import COMPACT_BYTES

    folder = state_dir()
    folder.mkdir(parents=True)
    path = folder / "filter-history"
    line = "src host 10.0.0.1 and port 443 and bytes > 1000\n"
    path.write_text(line * (COMPACT_BYTES // len(line) + 10))
    History("filter").add("port 22")
    assert path.stat().st_size < 1000
    assert History("filter").entries == [line.strip(), "port 22"]
    assert sorted(p.name for p in folder.iterdir()) == ["filter-history"]
