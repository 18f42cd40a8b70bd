"""``flowtui demo``: an embedded S3 on 127.0.0.1, seeded with realistic flow logs, and the app
opened on it, so anyone can try flowtui in one command without an AWS account.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence

from flowtui.cliargs import CommandParser
from flowtui.textsafe import printable


def main(argv: Sequence[str]) -> int:
    parser = CommandParser(
        prog="flowtui demo",
        description="Start a local S3-compatible server (moto) on 127.0.0.1, fill it with "
                    "generated flow logs, and open flowtui on it. Nothing leaves this machine.")
    parser.add_argument("--theme", choices=("textual-dark", "textual-light", "ansi-dark",
                                            "ansi-light"))
    parser.add_argument("--big-records", type=int, default=200_000,
                        help="records in the large object (default 200000)")
    parser.add_argument("--live-every", type=float, default=20.0, metavar="SECONDS",
                        help="a new flow-log file lands in today's folder this often, for "
                             "trying the live tail (t); 0 turns it off (default 20)")
    args = parser.parse_args(list(argv))
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("flowtui: the demo needs a terminal", file=sys.stderr)
        return 2
    from flowtui.demo import DemoError, cli_hint, deliver_live, seed, start_server

    try:
        print("flowtui: starting the demo S3 server on 127.0.0.1 and seeding it…",
              file=sys.stderr)
        server = start_server()
    except DemoError as exc:
        print(f"flowtui: {printable(str(exc))}", file=sys.stderr)
        return 2
    stop = threading.Event()
    feeder: threading.Thread | None = None
    hint = cli_hint(server.endpoint_url)
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
        print(f"flowtui: demo failed: {printable(str(exc))}", file=sys.stderr)
        return 1
    finally:
        stop.set()
        if feeder is not None:
            feeder.join(timeout=10)
        server.stop()
        print(f"flowtui: the demo has stopped and its S3 at {server.endpoint_url} with it; "
              "while a demo runs, these lines (with its own port) reach it from another "
              "terminal:", file=sys.stderr)
        _print_hint(hint[2:])


def _print_hint(hint: list[str]) -> None:
    """The endpoint line as a message; the lines to paste exactly as they are to be pasted
    (no ``flowtui:`` prefix, which would break them)."""
    for line in hint:
        print(line if line.startswith(" ") else f"flowtui: {line}", file=sys.stderr)
