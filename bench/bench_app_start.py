"""The app's own cost to start and to stop, headless (``App.run_test``), as every Pilot test
and every user pays it before the first record.

    python bench/bench_app_start.py [--cycles 8] [--load] [--theme NAME] [--profile FILE]

Each cycle builds ``FlowtuiApp`` on a local folder (one small flow-log file in it: no S3, no
network), runs it at 160x48 until the browser lists the folder (``--load``: until the file's
records are in the table, the target being the file), then leaves. Per cycle it measures
the process's CPU (user+sys of every thread, ``time.process_time``) and the wall time of

  start  construction -> the first screen ready (``run_test`` entered, the listing shown)
  exit   leaving ``run_test`` -> the app gone (unmounted, workers ended, driver stopped)

and prints min/median/max of each over the cycles after one warm-up cycle (imports and
first-time CSS parsing aside). CPU is the figure to quote on a shared machine: wall time
counts other processes' turns.

To compare with another checkout, run it with that checkout first on ``PYTHONPATH``
(``git archive main | tar -x -C /tmp/base; PYTHONPATH=/tmp/base python bench/...``); the
first line prints which flowtui it imported. ``--profile FILE`` writes cProfile stats of
the measured cycles (read them with ``python -m pstats FILE``).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gzip
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                   "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
                   "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
    os.environ.pop(_name, None)

import flowtui  # noqa: E402
from flowtui.ui.app import FlowtuiApp  # noqa: E402

HEADER = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
          "bytes start end action log-status")


def _sample(folder: Path, records: int = 200) -> Path:
    """One small gzipped flow-log object (the default format, as AWS writes it)."""
    lines = [HEADER]
    for i in range(records):
        action = "REJECT" if i % 7 == 0 else "ACCEPT"
        lines.append(f"2 111111111111 eni-0a1b2c3d 10.0.{i % 250}.{i % 200 + 1} 10.1.0.5 "
                     f"{40000 + i} 443 6 {i % 9 + 1} {(i % 9 + 1) * 60} "
                     f"{1709596800 + i} {1709596860 + i} {action} OK")
    path = folder / "111111111111_vpcflowlogs_us-east-1_fl-1_20240305T0000Z_abcd.log.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


async def _until(pilot: object, condition: object, what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await pilot.pause(0.005)  # type: ignore[attr-defined]


async def cycle(target: Path, load: bool, theme: str | None = None,
                ) -> tuple[float, float, float, float]:
    """(start cpu, start wall, exit cpu, exit wall) of one app."""
    c0, w0 = time.process_time(), time.perf_counter()
    app = FlowtuiApp(str(target), theme=theme)
    async with app.run_test(size=(160, 48)) as pilot:
        if load:
            await _until(pilot, lambda: app.table.row_count > 0, "the records")
        else:
            await _until(pilot, lambda: app.browser.entry_list.option_count > 0, "the listing")
        await pilot.pause()
        c1, w1 = time.process_time(), time.perf_counter()
    c2, w2 = time.process_time(), time.perf_counter()
    return c1 - c0, w1 - w0, c2 - c1, w2 - w1


def _line(name: str, values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return f"{name:<10} min {ms[0]:7.1f}  median {statistics.median(ms):7.1f}  max {ms[-1]:7.1f} ms"


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-app-start-") as tmp:
        sample = _sample(Path(tmp))
        target = sample if args.load else Path(tmp)
        await cycle(target, args.load, args.theme)  # warm-up: imports, CSS parsed once per class
        profile = cProfile.Profile() if args.profile else None
        rows = []
        for _ in range(args.cycles):
            if profile:
                profile.enable()
            rows.append(await cycle(target, args.load, args.theme))
            if profile:
                profile.disable()
        if profile:
            profile.dump_stats(args.profile)
    print(f"flowtui from {Path(flowtui.__file__).parent}; {args.cycles} cycles"
          f"{' with a load' if args.load else ''}"
          f"{f'; theme {args.theme}' if args.theme else ''}; load average {os.getloadavg()[0]:.1f}")
    for i, name in enumerate(("start cpu", "start wall", "exit cpu", "exit wall")):
        print(_line(name, [row[i] for row in rows]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=8)
    parser.add_argument("--load", action="store_true",
                        help="open the file (its records into the table), not the folder")
    parser.add_argument("--theme", help="start with this theme (as --theme, or TERM=xterm's "
                        "ansi-dark)")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the measured cycles")
    asyncio.run(main(parser.parse_args()))
    sys.exit(0)
