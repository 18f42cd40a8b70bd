"""Keys (and pastes) act one at a time, in the order typed, whatever way they arrive.

Textual hands each key to the focused widget's own message queue and takes the next key at
once. Keys that arrive in one write (a paste of ``/reject`` from a runbook, a fast typist,
a terminal over a slow link) were all routed before the first had taken effect: after ``/``
the bar was not focused yet, so ``r`` toggled raw/decoded, ``e`` opened a dialog and the
``q`` of ``/quick`` quit; after Enter in a prompt the next keys landed in the closing prompt.

The gate lets one key through, then holds the keys that follow until the first one's work
is done: its way up the focused widget's ancestors (bindings, ``Submitted`` messages) and the
focus changes it asked for. Then the next key goes, to whatever has the focus by then. A key
typed while nothing is pending goes at once, so typing at human speed costs nothing.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from textual import events
from textual.app import App
from textual.message_pump import MessagePump

MAX_ROUNDS = 40
"""Rounds of "every queue on the way has caught up" before a held key goes anyway: a key
is never held for ever by a widget that keeps posting to itself."""
MAX_WAIT = 2.0
"""Seconds a key waits at most for the one before it (a handler stuck on something slow
must not hold the keyboard; the key still goes after everything already queued)."""


class KeyGate:
    """Owned by the app: ``admit`` says whether a key coming from the terminal acts now."""

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._held: deque[events.Key | events.Paste] = deque()
        self._released: set[int] = set()
        self._task: asyncio.Task[None] | None = None

    @property
    def busy(self) -> bool:
        """A key's work is still going on (or keys wait behind it)."""
        return self._task is not None and not self._task.done()

    def admit(self, event: events.Key | events.Paste) -> bool:
        """True: handle ``event`` now. False: it waits its turn (the gate posts it again)."""
        if id(event) in self._released:
            self._released.discard(id(event))
            return True
        if self.busy:
            self._held.append(event)
            return False
        self._task = asyncio.create_task(self._follow(), name="flowtui key gate")
        return True

    async def _follow(self) -> None:
        """Wait for each key's work, then let the next held key go."""
        while True:
            await self._settled()
            if not self._held or _leaving(self._app):
                self._held.clear()
                return
            key = self._held.popleft()
            self._released.add(id(key))
            if not self._app.post_message(key):
                self._released.discard(id(key))

    def _chain(self) -> list[MessagePump]:
        """Where a key's work happens: the focused widget, its ancestors (its key and the
        messages it posts bubble up them) and the app."""
        app = self._app
        try:
            focused = app.focused
            nodes: list[MessagePump] = list(focused.ancestors_with_self) if focused else []
            nodes.append(app.screen)
        except Exception:  # no screen: the app is going
            return [app]
        if app not in nodes:
            nodes.append(app)
        return nodes

    async def _settled(self) -> None:
        """Until every queue on the key's way has processed what was posted to it before,
        twice in a row with nothing left: a message one widget posts to its parent is
        handled in the next round."""
        quiet = 0
        deadline = asyncio.get_running_loop().time() + MAX_WAIT
        for _ in range(MAX_ROUNDS):
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return
            if _leaving(self._app):
                return
            nodes = self._chain()
            await _caught_up(nodes, left)
            if any(node.message_queue_size for node in nodes if node is not self._app):
                quiet = 0
            else:
                quiet += 1
                if quiet >= 2:
                    return


def _leaving(app: App[Any]) -> bool:
    """The app is ending: ``exit()`` sets the return code (public, unlike Textual's own
    closing flags), or it has stopped running."""
    return app.return_code is not None or not app.is_running


async def _caught_up(nodes: list[MessagePump], timeout: float) -> None:
    """Until each of ``nodes`` has processed every message posted to it before this call."""
    loop = asyncio.get_running_loop()
    waiting: list[asyncio.Future[None]] = []
    for node in nodes:
        future: asyncio.Future[None] = loop.create_future()

        def done(future: asyncio.Future[None] = future) -> None:
            if not future.done():
                future.set_result(None)

        if node.call_later(done):
            waiting.append(future)
    if waiting:
        await asyncio.wait(waiting, timeout=timeout)
