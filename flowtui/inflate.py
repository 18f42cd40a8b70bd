"""The gzip inflater: zlib-ng when its wheel is installed, else the standard library's zlib.

Why: inflating is half of a parse's CPU, and zlib-ng inflates the same bytes 1.4-1.7 times
faster than zlib. It is a drop-in: the same ``decompressobj`` (``wbits=31``, ``max_length``,
``unconsumed_tail``, ``unused_data``, ``eof``) and, unlike python-isal's, a ``copy()``, which
the parser needs to keep the text before a corrupt spot. Both give the same text for the same
bytes (a test runs the parser over both); a missing wheel only costs speed.
"""

from __future__ import annotations

import zlib
from types import ModuleType
from typing import Any

_zlib_ng: ModuleType | None
try:
    from zlib_ng import zlib_ng as _zlib_ng
except ImportError:  # pragma: no cover - the wheel is a dependency; this is the fallback
    _zlib_ng = None

#: The modules the parser can inflate with, fastest first; the first is used.
BACKENDS: tuple[ModuleType, ...] = tuple(m for m in (_zlib_ng, zlib) if m is not None)


class Inflate:
    """One backend: its inflater factory and the error it raises on bad data."""

    __slots__ = ("module", "error", "name")

    def __init__(self, module: ModuleType) -> None:
        self.module = module
        self.error: type[Exception] = module.error
        self.name = "zlib-ng" if module is _zlib_ng else "zlib"

    def gzip_inflater(self) -> Any:
        """A streaming inflater of gzip members (one member; the parser starts the next)."""
        return self.module.decompressobj(wbits=31)


#: What the parser uses.
DEFAULT = Inflate(BACKENDS[0])
#: The standard library's, for the fallback path and its tests.
ZLIB = Inflate(zlib)
