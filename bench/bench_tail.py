"""Tail benchmark: how soon a new file's records are delivered, and what an idle tail costs.

A moto server runs on loopback in its own process (so its CPU is not ours), seeded with a
realistic day folder: ``--logs`` flow logs x ``--files`` files each (a day of 5-minute files
is 288). Then, with the real clock and a ``--interval`` poll:

- latency: ``--puts`` new files are put at random moments; for each, the time from the
  put_object call to its first records being delivered (target: interval + <= 1 s);
- idle CPU: nothing new for ``--seconds``; the CPU time of this process (the engine, its
  boto3 client and listing parsing) over the wall time (target: <= 1% of a core at a 1 s
  interval), the list requests per poll, and the server's CPU for reference.

    python bench/bench_tail.py [--interval 1] [--seconds 20] [--logs 2] [--files 288] [--puts 8]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loopback import isolate_aws_env, moto_process  # noqa: E402

isolate_aws_env()

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

from flowtui.loader import BatchLoaded  # noqa: E402
from flowtui.s3.session import make_client  # noqa: E402
from flowtui.synth import DEFAULT_FIELDS, generate_lines, make_text_object, object_key  # noqa: E402
from flowtui.tail import PollDone, PollFailed, TailEngine  # noqa: E402

BUCKET = "bench-tail"


def server_cpu(pid: int) -> float:
    """utime + stime of a process in seconds (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Events:
    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.delivered: dict[str, float] = {}
        self.polls: list[PollDone] = []
        self.failed: list[PollFailed] = []

    def __call__(self, event: object) -> None:
        now = time.monotonic()
        with self.cond:
            if isinstance(event, BatchLoaded):
                self.delivered.setdefault(event.ref.location, now)
            elif isinstance(event, PollDone):
                self.polls.append(event)
            elif isinstance(event, PollFailed):
                self.failed.append(event)
            self.cond.notify_all()

    def wait(self, predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
        with self.cond:
            return self.cond.wait_for(predicate, timeout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--logs", type=int, default=2)
    ap.add_argument("--files", type=int, default=288)
    ap.add_argument("--puts", type=int, default=8)
    ap.add_argument("--records", type=int, default=500, help="records per new file")
    args = ap.parse_args()

    with moto_process() as (server, port):
        return run(args, f"http://127.0.0.1:{int(port)}", server.pid)


def run(args: argparse.Namespace, endpoint: str, server_pid: int) -> int:
    raw = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                       config=Config(s3={"addressing_style": "path"}))
    raw.create_bucket(Bucket=BUCKET)
    now = datetime.now(tz=UTC).replace(second=0, microsecond=0)
    small = make_text_object(generate_lines(5, seed=1), DEFAULT_FIELDS)
    flids = [f"fl-0{i:03x}aaaabbbbcccc0" for i in range(args.logs)]
    t0 = time.monotonic()
    for flid in flids:  # the last ``files`` 5-minute files, back into yesterday's folder
        for i in range(args.files):
            when = now - timedelta(minutes=5 * i)
            raw.put_object(Bucket=BUCKET, Key=object_key(when=when, flow_log_id=flid,
                                                         hash=f"{i:08x}"), Body=small)
    seed_s = time.monotonic() - t0
    prefix = "AWSLogs/123456789012/vpcflowlogs/us-east-1/"
    print(f"seeded {args.logs} flow logs x {args.files} files in {seed_s:.1f}s; "
          f"tailing s3://{BUCKET}/{prefix} every {args.interval:g}s")

    events = Events()
    engine = TailEngine(f"s3://{BUCKET}/{prefix}", client=make_client(endpoint_url=endpoint),
                        on_event=events, interval=args.interval)
    engine.start()
    try:
        if not events.wait(lambda: bool(events.polls) or bool(events.failed), 30):
            print("no first poll within 30 s")
            return 1
        if events.failed:
            print(f"poll failed: {events.failed[0].reason}")
            return 1

        # --- idle CPU --------------------------------------------------------------------
        polls0 = len(events.polls)
        cpu0, wall0, srv0 = time.process_time(), time.monotonic(), server_cpu(server_pid)
        time.sleep(args.seconds)
        cpu1, wall1, srv1 = time.process_time(), time.monotonic(), server_cpu(server_pid)
        idle_polls = events.polls[polls0:]
        requests = [p.requests for p in idle_polls]
        cpu_pct = 100 * (cpu1 - cpu0) / (wall1 - wall0)
        per_poll = 1000 * (cpu1 - cpu0) / max(1, len(idle_polls))
        print(f"idle: {len(idle_polls)} polls in {wall1 - wall0:.1f}s; CPU {cpu_pct:.2f}% of a "
              f"core ({per_poll:.1f} ms/poll); list requests/poll "
              f"{statistics.mean(requests) if requests else 0:.1f}; "
              f"server CPU {100 * (srv1 - srv0) / (wall1 - wall0):.1f}%")

        # --- latency ---------------------------------------------------------------------
        rng = random.Random(7)
        lat = []
        for i in range(args.puts):
            time.sleep(rng.uniform(0, args.interval))
            when = datetime.now(tz=UTC).replace(second=0, microsecond=0)
            key = object_key(when=when, flow_log_id=flids[i % len(flids)],
                             hash=f"ffff{i:04x}")
            body = make_text_object(generate_lines(args.records, seed=100 + i,
                                                   start=int(when.timestamp())),
                                    DEFAULT_FIELDS)
            location = f"s3://{BUCKET}/{key}"
            start = time.monotonic()
            raw.put_object(Bucket=BUCKET, Key=key, Body=body)
            if not events.wait(lambda loc=location: loc in events.delivered,
                               args.interval + 10):
                print(f"put {i}: not delivered within interval + 10 s")
                return 1
            lat.append(events.delivered[location] - start)
        print(f"latency put -> first records ({args.puts} puts, {args.records} records each): "
              f"mean {statistics.mean(lat):.2f}s, max {max(lat):.2f}s "
              f"(target: interval {args.interval:g}s + <= 1s)")
        last = events.polls[-1]
        print(f"last poll: newest {last.newest:%H:%M} UTC, age {last.age}, "
              f"{last.flow_logs} flow logs, next in {last.next_in:g}s")
        ok = cpu_pct <= 1.0 and max(lat) <= args.interval + 1.0
        print("targets met" if ok else "target missed")
        return 0 if ok else 1
    finally:
        engine.stop()


if __name__ == "__main__":
    sys.exit(main())
