"""How many objects a load fetches at once, when the user does not say (``--concurrency``).

Apart from the loader because it is a model of the link and the machine, not of loading:
a GET's wait for its first byte, a connection's rate, what one core inflates and parses a
second. The loader asks it once per load (``Loader.run``), and ``memory.arena_cap`` counts
on its answer being many fetching threads but few parsing ones (``loader.PARSE_TURNS``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

from flowtui.events import ObjectRef

#: Most objects fetched at once when the loader chooses: small objects are latency-bound, so
#: this many GETs waiting for their first byte is what keeps a 40 ms link busy.
MAX_AUTO_CONCURRENCY = 32
#: Compressed bytes worth having in flight when the loader chooses: 32 objects of 1 MiB,
#: or 2 of 16 MiB. Large objects are CPU-bound (inflate and parse), so their concurrency
#: falls to the number of cores.
IN_FLIGHT_BYTES = 32 << 20
#: Compressed bytes one core inflates and parses a second (bench/bench_peers_s3.py: a day
#: folder of 1M records, 24 MB, in ~1.5 s on 2 cores), the wait for a GET's first byte
#: worth covering (S3 answers in 20-60 ms), and what one connection streams a second.
#: Objects in flight beyond what the cores parse while the others wait only hold memory:
#: each fetching thread keeps its request's objects, buffers and stack, ~0.3 MB.
PARSE_BYTES_PER_SECOND = 8 << 20
FIRST_BYTE_WAIT = 0.06
STREAM_BYTES_PER_SECOND = 50 << 20


def choose_concurrency(refs: Sequence[ObjectRef], cores: int | None = None, *,
                       more: bool = False) -> int:
    """Objects to fetch at once for ``refs`` (``more``: and others like them, still being
    listed).

    Local files cost CPU only: one per core. S3 objects cost a round trip each (20-60 ms
    before the first byte) plus their bytes: small objects want many requests in flight
    (up to ``MAX_AUTO_CONCURRENCY``), large ones are bound by inflating and parsing and get
    about one per core; in between, enough to keep ``IN_FLIGHT_BYTES`` in flight, but no
    more than the cores parse while a request waits for its first byte and streams
    (``PARSE_BYTES_PER_SECOND``): for a day folder of 80 KB objects, 15 rather than 32,
    which on moto behind 40 ms of latency was as fast (0.92x wall, 0.90x CPU) and held
    4 MB less at its peak (`top`, bench_peers_s3's folder).
    """
    count = MAX_AUTO_CONCURRENCY if more else len(refs)
    if count <= 1:
        return 1
    cores = max(2, cores or os.cpu_count() or 2)
    if not any(ref.is_s3 for ref in refs):
        return min(count, cores)
    sizes = [ref.size for ref in refs if ref.size is not None]
    mean = sum(sizes) / len(sizes) if sizes else float(1 << 20)
    mean = max(mean, 1.0)
    by_bytes = int(IN_FLIGHT_BYTES // mean)
    per_object = FIRST_BYTE_WAIT + mean / STREAM_BYTES_PER_SECOND  # seconds a fetch takes
    by_rate = cores + math.ceil(cores * PARSE_BYTES_PER_SECOND * per_object / mean)
    return min(count, MAX_AUTO_CONCURRENCY, max(cores, min(by_bytes, by_rate)))
