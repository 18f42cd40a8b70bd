"""``flowtui demo``: an embedded S3 on 127.0.0.1, seeded with realistic flow logs, and the app
opened on it, so anyone can try flowtui in one command without an AWS account.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading

from flowtui.cli.args import THEMES, say


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--theme", choices=THEMES)
    parser.add_argument("--big-records", type=int, default=200_000,
                        help="records in the large object (default 200000)")
    parser.add_argument("--live-every", type=float, default=20.0, metavar="SECONDS",
                        help="a new flow-log file lands in today's folder this often, for "
                             "trying the live tail (t); 0 turns it off (default 20)")


def run(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        say("the demo needs a terminal")
        return 2
    from flowtui.demo import DemoError, cli_hint, deliver_live, seed, start_server

    try:
        print("flowtui: starting the demo S3 server on 127.0.0.1 and seeding it…",
              file=sys.stderr)
        server = start_server()
    except DemoError as exc:
        say(str(exc))
        return 2
    stop = threading.Event()
    feeder: threading.Thread | None = None
    hint = cli_hint(server.endpoint_url, names_env=server.names_env)
    try:
        seed(server.client(), big_records=args.big_records)
        _print_hint(hint)
        if args.live_every > 0:
            feeder = threading.Thread(target=deliver_live, args=(server.client(), stop),
                                      kwargs={"every": args.live_every},
                                      name="flowtui-demo-live", daemon=True)
            feeder.start()
        from flowtui.names.resolve import NamesOptions
        from flowtui.ui.run import run

        # names from the demo's own EC2 inventory and IP ranges file (flowtui.demo_ec2 set
        # them in the environment): nothing is downloaded
        return run(None, endpoint_url=server.endpoint_url, region="us-east-1",
                   theme=args.theme, help_note="\n".join(hint),
                   names=NamesOptions(download_ip_ranges=False))
    except Exception as exc:  # last resort: one line, never a traceback
        say(f"demo failed: {exc}")
        return 1
    finally:
        stop.set()
        if feeder is not None:
            feeder.join(timeout=10)
        server.stop()
        with contextlib.suppress(OSError):  # a closed terminal (SIGHUP) takes no more lines
            print(f"flowtui: the demo has stopped and its S3 at {server.endpoint_url} with "
                  "it; while a demo runs, these lines (with its own port) reach it from "
                  "another terminal:", file=sys.stderr)
            _print_hint(hint[2:])


def _print_hint(hint: list[str]) -> None:
    """The endpoint line as a message; the lines to paste exactly as they are to be pasted
    (no ``flowtui:`` prefix, which would break them)."""
    for line in hint:
        print(line if line.startswith(" ") else f"flowtui: {line}", file=sys.stderr)
