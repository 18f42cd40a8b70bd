"""Realistic synthetic flow-log lines, deterministic by seed, for the demo, tests and benchmarks.

Speed matters (a million records in a few seconds), so records are not built field by field.
A small "world" (ENIs, peers, services) is drawn once; from it a pool of conversation
templates is compiled into one format string per direction for the requested field list
(``conversations.py``), and each emitted line only fills in the per-record numbers (packets,
bytes, start, end and the ephemeral port). The facts followed are in
shared/reference/flow-log-format.md.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence

from flowtui.fields import DEFAULT_FIELDS, FIELDS
from flowtui.synth.conversations import pool, stable_pool

# Every VPC field, in the AWS table order (reference §2.10): a v11 "all fields" format.
ALL_VPC_FIELDS: tuple[str, ...] = tuple(
    name for name, spec in FIELDS.items() if spec.family in ("vpc", "both")
)

# The custom format of AWS's v5 example (reference §5.6).
V5_EXAMPLE_FIELDS: tuple[str, ...] = tuple(
    "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id "
    "vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id "
    "action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service "
    "traffic-path flow-direction log-status".split()
)

DEFAULT_START = 1709647200  # 2024-03-05T14:00:00Z


def generate_lines(
    n: int,
    *,
    seed: int = 0,
    fields: Sequence[str] = DEFAULT_FIELDS,
    start: int = DEFAULT_START,
    span: int = 300,
    interfaces: int = 12,
    account: str = "123456789012",
    region: str = "us-east-1",
    reject_rate: float = 0.15,
    nodata_rate: float = 0.004,
    skipdata_rate: float = 0.001,
    world_seed: int | str | None = None,
) -> Iterator[str]:
    """Yield ``n`` flow-log records (no header, no newline) in the given field order.

    ``world_seed`` fixes the world (interfaces, addresses, the conversations between them)
    apart from ``seed``, which then only varies the traffic: the files of one flow log show
    the same interfaces and hosts, as a real VPC's do. Without it both come from ``seed``.

    Records belong to one capture window ``[start, start + span)``: every ``start``/``end``
    lies inside it, ``end - start`` is 0..60 s. A field list with any Transit Gateway field
    gives TGW records (no action, no ENI); otherwise VPC records. ``version`` is the highest
    version among the fields, as AWS writes it. Same arguments, same lines.
    """
    if n <= 0:
        return
    fields = tuple(fields)
    rng = random.Random(f"flowtui-synth:{seed}")
    is_tgw = any(FIELDS[f].family == "tgw" for f in fields if f in FIELDS)
    if world_seed is None:
        ok, bad, idle, skipped = pool(rng, fields, is_tgw, account, region, interfaces,
                                      max(16, min(n // 12, 6000)))
    else:
        ok, bad, idle, skipped = stable_pool(str(world_seed), fields, is_tgw, account,
                                             region, interfaces)

    # Rejected conversations give one record, accepted ones two; choose the conversation
    # share that makes ``reject_rate`` of the records REJECT.
    q_bad = 2 * reject_rate / (1 + reject_rate) if bad else 0.0
    q_nodata = nodata_rate
    q_skip = nodata_rate + skipdata_rate
    last = max(0, span - 1)
    window_end = start + last
    n_ok, n_bad, n_idle = len(ok), len(bad), len(idle)
    rand = rng.random
    emitted = 0
    while emitted < n:
        r = rand()
        if r < q_skip:
            t = start + int(rand() * min(last, 30))
            e = min(t + 55 + int(rand() * 6), window_end)
            yield (idle if r < q_nodata else skipped)[int(rand() * n_idle)].format(0, 0, t, e, 0)
            emitted += 1
            continue
        if rand() < q_bad:
            c = bad[int(rand() * n_bad)]
        else:
            c = ok[int(rand() * n_ok)]
        s = start + int(rand() * span)
        e = s + int(rand() * rand() * 61)
        if e > window_end:
            e = window_end
        eph = c.eph_lo + int(rand() * c.eph_span)
        p = int(c.pmax ** rand()) or 1
        yield c.req.format(p, p * c.bpp + int(rand() * p * 40), s, e, eph)
        emitted += 1
        if c.reply is not None and emitted < n:
            p2 = int(p * c.ratio) or 1
            yield c.reply.format(p2, p2 * c.rbpp + int(rand() * p2 * 40), s, e, eph)
            emitted += 1


_BAD_KINDS = ("short", "port", "long", "blank", "double-space")


def with_bad_lines(lines: Iterable[str], fields: Sequence[str], *, every: int = 50,
                   seed: int = 0) -> Iterator[str]:
    """Pass ``lines`` through, spoiling one line in ``every``: a dropped field, a
    non-integer port, an extra value, a blank line, or a double space (which is *valid*:
    readers must split on whitespace runs, reference §5.4)."""
    rng = random.Random(f"flowtui-bad:{seed}")
    port_col = next((i for i, f in enumerate(fields) if f in ("srcport", "dstport")), None)
    for i, line in enumerate(lines):
        if i % every != every - 1:
            yield line
            continue
        kind = _BAD_KINDS[(i // every) % len(_BAD_KINDS)]
        parts = line.split(" ")
        if kind == "short" and len(parts) > 1:
            del parts[rng.randrange(len(parts))]
            yield " ".join(parts)
        elif kind == "port" and port_col is not None:
            parts[port_col] = rng.choice(("abc", "http", "4x3", "-1"))
            yield " ".join(parts)
        elif kind == "long":
            yield line + " extra"
        elif kind == "blank":
            yield ""
        else:
            yield line.replace(" ", "  ", 1)
