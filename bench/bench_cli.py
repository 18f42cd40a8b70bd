"""CLI benchmark: ``flowtui cat`` writers against ``zcat`` to /dev/null, and start-up times.

Whole processes, as a user runs them, on the same gzip flow log: ``zcat FILE > /dev/null``
is the baseline (the least any reader of the file pays); ``flowtui cat FILE --format F``
writes to /dev/null too. A "parse only" process (read the file into record batches, write
nothing) shows how much of each writer's time is the parse and how much the writing. The
commands run interleaved (A B C A B C ...) so a busy machine slows them alike; the best of
``--repeat`` runs counts, as wall time and as CPU time (user + sys of the process and its
threads). Start-up: ``flowtui --help`` and ``flowtui cat --help``, with a bare interpreter
start for reference.

Targets (issue 12): csv and jsonl <= 1.5x zcat, table <= 3x; --help <= 0.15 s on a quiet
machine.

    python bench/bench_cli.py [--records 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_parse import sample_file  # noqa: E402

PARSE_ONLY = """
import sys
from pathlib import Path
from flowtui.memory import prefer_compact_memory
prefer_compact_memory()
from flowtui.localfiles import read_batches
from flowtui.parser import FlowLogParser
for _batch in read_batches(Path(sys.argv[1]), FlowLogParser(name=sys.argv[1])):
    pass
"""
WRITER_TARGETS = {"csv": 1.5, "jsonl": 1.5, "table": 3.0}
HELP_TARGET_S = 0.15


def run(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one whole process, its output thrown away."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                   check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def best_interleaved(commands: dict[str, list[str]], repeat: int) -> dict[str, tuple[float, float]]:
    """Best wall and best CPU of each command over ``repeat`` interleaved rounds."""
    best = {name: (float("inf"), float("inf")) for name in commands}
    for command in commands.values():  # warm-up: the page cache and .pyc files
        run(command)
    for _ in range(repeat):
        for name, command in commands.items():
            wall, cpu = run(command)
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    zcat = shutil.which("zcat")
    if zcat is None:
        print("zcat not found: it is the baseline of this benchmark")
        return
    path = sample_file(args.records)
    flowtui = [sys.executable, "-m", "flowtui"]
    commands = {"zcat": [zcat, str(path)],
                "parse only": [sys.executable, "-c", PARSE_ONLY, str(path)]}
    for fmt in WRITER_TARGETS:
        commands[f"cat --format {fmt}"] = [*flowtui, "cat", str(path), "--format", fmt]
    print(f"input: {path.name}: {path.stat().st_size / 1e6:.1f} MB gzip; output to "
          f"/dev/null; best of {args.repeat}, interleaved; {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}")
    best = best_interleaved(commands, args.repeat)
    zcat_wall, zcat_cpu = best["zcat"]
    print(f"{'command':<22} {'wall s':>7} {'/zcat':>6} {'target':>7}   {'cpu s':>6} {'/zcat':>6}")
    for name, (wall, cpu) in best.items():
        fmt = name.removeprefix("cat --format ")
        target = f"<= {WRITER_TARGETS[fmt]:g}" if fmt in WRITER_TARGETS else ""
        print(f"{name:<22} {wall:7.3f} {wall / zcat_wall:6.2f} {target:>7}   {cpu:6.3f} "
              f"{cpu / zcat_cpu:6.2f}")
    parse_wall = best["parse only"][0]
    print("writing alone (cat minus parse only, wall): " + ", ".join(
        f"{fmt} {best[f'cat --format {fmt}'][0] - parse_wall:+.3f} s" for fmt in WRITER_TARGETS))

    startup = best_interleaved({"python -c pass": [sys.executable, "-c", "pass"],
                                "flowtui --help": [*flowtui, "--help"],
                                "flowtui cat --help": [*flowtui, "cat", "--help"]},
                               args.repeat * 2)
    print(f"start-up (best of {args.repeat * 2}, target <= {HELP_TARGET_S} s for --help):")
    for name, (wall, _cpu) in startup.items():
        print(f"  {name:<20} {wall:6.3f} s")


if __name__ == "__main__":
    main()
