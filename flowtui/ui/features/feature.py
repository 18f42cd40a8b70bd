"""A feature: the owner of one kind of work on the main screen, and of its messages.

As toolong's ``LogLines`` and our ``StoryScreen`` do, the part that starts the work handles
what the work says: a feature is a hidden widget on the main screen, its thread workers post
to it (``self.post_message`` is thread-safe), and its own handlers answer. Once the screen
goes, the feature goes with it and late messages are dropped, so no handler meets a screen
whose widgets are gone.

What a widget posts (the browser's "load this", the table's "rows changed", the top-N pane's
"drill down") bubbles up to the app as Textual messages do; the feature that answers it
says so with ``hear``, and the app forwards nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from textual.css.query import NoMatches
from textual.message import Message
from textual.widget import Widget

M = TypeVar("M", bound=Message)


class Feature(Widget):
    """Hidden (it draws nothing); mounted on the main screen by the app."""

    DEFAULT_CSS = "Feature { display: none; }"

    def hear(self, kind: type[M], handler: Callable[[M], None]) -> None:
        """Answer every ``kind`` message that reaches the app (call it once mounted).

        The test runs as the app handles each message; the answer runs next on this
        feature's own queue, so an error in it is the app's error as any handler's is."""

        def heard(message: Message) -> None:
            if isinstance(message, kind):
                self.call_next(handler, message)

        self.app.message_signal.subscribe(self, heard, immediate=True)


def quiet_when_closing(handler: Callable[..., None]) -> Callable[..., None]:
    """Messages and timers still queued as the app closes find the main screen's widgets
    gone. That is the app ending, not an error: return quietly, never a traceback."""

    @wraps(handler)
    def guarded(self: Widget, *args: Any, **kwargs: Any) -> None:
        try:
            handler(self, *args, **kwargs)
        except NoMatches:
            if self.is_attached and self.app.is_running:
                raise

    return guarded
