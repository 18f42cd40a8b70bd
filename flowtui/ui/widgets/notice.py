"""Notifications as lines of an evidence screen, never drawn over it.

Textual shows ``notify`` as toasts floating over the bottom right of the screen. On the
story, the conversation and the help that is over the evidence itself: at 80x24 a names
note (12 s, up to half the width) hid part of the story's explanation. Screens whose body
is evidence mix in ``NoticeScreen``: they have no toast rack, and a notification raised
while they are shown becomes a ``NoticeLine`` of the screen, which takes its own rows (the
body above it gets shorter and scrolls) and goes when its time is up. Toasts raised on the
main screen stay there: they are not carried over the story, and are seen again on return
if their time is not up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import App
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import Static

from flowtui.ui.widgets.safe import literal

#: How many notices a screen shows at once (the newest): a burst can't eat the body.
MAX_NOTICES = 2
#: Seconds a notice stays when the caller gives no timeout (Textual's toast default).
DEFAULT_TIMEOUT = 5.0


@dataclass
class _Notice:
    text: Text
    timer: Timer | None = None


class NoticeLine(Static):
    """The newest notifications, one after another, each wrapped to the screen's width;
    hidden (no rows taken) when there are none."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._notices: list[_Notice] = []
        self.display = False

    def add(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
            timeout: float | None = None) -> None:
        """Show ``message`` (shown literally) for ``timeout`` seconds."""
        style = {"warning": "bold", "error": "bold reverse"}.get(severity, "")
        text = Text()
        if severity in ("warning", "error"):
            text.append(f"{severity}: ", style=style)
        if title:
            text.append(f"{literal(title)}: ", style="bold")
        text.append(literal(message))
        notice = _Notice(text)
        self._notices.append(notice)
        for old in self._notices[:-MAX_NOTICES]:
            self._drop(old)
        seconds = DEFAULT_TIMEOUT if timeout is None else timeout
        notice.timer = self.set_timer(seconds, lambda: self._drop(notice))
        self._show()

    @property
    def shown(self) -> str:
        """The notices as plain text (what the rows say)."""
        return "\n".join(n.text.plain for n in self._notices)

    def _drop(self, notice: _Notice) -> None:
        if notice in self._notices:
            self._notices.remove(notice)
            if notice.timer is not None:
                notice.timer.stop()
            self._show()

    def _show(self) -> None:
        self.display = bool(self._notices)
        self.update(Text("\n").join(n.text for n in self._notices))


class NoticeScreen:
    """Mixin for a ``Screen`` whose body is evidence: it drops Textual's toast rack when
    mounted and shows its notifications (its own and the app's, see ``FlowtuiApp.notify``)
    in its ``NoticeLine`` instead. The screen must compose one ``NoticeLine``."""

    def on_mount(self) -> None:
        self.query("ToastRack").remove()  # type: ignore[attr-defined]

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """A line of this screen, not a toast over it. ``markup`` is ignored: every message
        is shown literally (callers here already pass ``markup=False``)."""
        del markup
        self.query_one(NoticeLine).add(  # type: ignore[attr-defined]
            message, title=title, severity=severity, timeout=timeout)


class NoticeApp(App[None]):
    """An app whose notifications, while an evidence screen (``NoticeScreen``) is shown,
    are lines of that screen rather than toasts over it (a names note arriving while the
    story is read, a copy's "Copied")."""

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        screen = self.screen if self.is_running and self._screen_stack else None
        if isinstance(screen, NoticeScreen):
            try:
                screen.notify(message, title=title, severity=severity, timeout=timeout,
                              markup=markup)
                return
            except NoMatches:
                pass  # not composed yet: a toast, as before
        super().notify(message, title=title, severity=severity, timeout=timeout,
                       markup=markup)


__all__ = ["DEFAULT_TIMEOUT", "MAX_NOTICES", "NoticeApp", "NoticeLine", "NoticeScreen"]
