"""Objects to load that keep arriving while the loader runs: a folder's listing, page by page.

A day folder of flow logs is a few hundred keys, and listing it takes longer than reading the
first object (S3, and moto more so, take longer the more keys a page holds). So the objects
of the first page are loaded as soon as it comes, while the rest of the folder is listed:
the first record is printed before the listing ends. The loader takes the objects in the
order they were added, which is key order, as when it is given them all at once.

Arrow-free (``ObjectRef`` is), so a listing thread can fill it while Arrow is imported.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from flowtui.events import ObjectRef


class RefFeed:
    """Refs in load order, added by one producer (``add``) until it ``close``s the feed,
    with an error when the rest could not be had. ``lock`` guards ``refs``, ``complete``
    and ``error``; the loader waits on it for more refs."""

    def __init__(self, refs: Iterable[ObjectRef] = (), *, complete: bool = False) -> None:
        self.lock = threading.Condition()
        self.refs: list[ObjectRef] = list(refs)
        self.complete = complete
        self.error: str | None = None
        self._ahead: dict[str, Any] = {}  # location → its stream, read ahead (``ReadAhead``)

    @classmethod
    def of(cls, refs: Iterable[ObjectRef]) -> RefFeed:
        """A feed holding ``refs`` and nothing more."""
        return cls(refs, complete=True)

    def add(self, refs: Iterable[ObjectRef]) -> None:
        with self.lock:
            self.refs.extend(refs)
            self.lock.notify_all()

    def read_ahead(self, location: str, stream: Any) -> None:
        """The object at ``location`` was requested already (a ``ReadAhead``): the loader
        reads on from it instead of sending a GET of its own."""
        with self.lock:
            self._ahead[location] = stream

    def take_read_ahead(self, location: str) -> Any:
        """The stream read ahead for ``location`` (once), or None."""
        with self.lock:
            return self._ahead.pop(location, None)

    def close(self, error: str | None = None) -> None:
        """No more refs; ``error`` says why, when the rest could not be had."""
        with self.lock:
            self.complete = True
            self.error = error
            self.lock.notify_all()

    def wait_started(self, timeout: float | None = None) -> bool:
        """Wait until the feed holds a ref or is closed (False: ``timeout`` passed first)."""
        with self.lock:
            return self.lock.wait_for(lambda: bool(self.refs) or self.complete, timeout)
