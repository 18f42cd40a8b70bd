"""Messages that more than one part of the UI posts or hears.

A message that one widget or feature posts to itself lives with it; one that a widget posts
and a feature (or the app) answers lives here, below both, so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class ShowConversation(Message):
    """Open the conversation of two addresses (both directions, by protocol and port).

    Any pane may post it (the story screen does; a top-N pane of address pairs can): it
    bubbles to the app, which shows the conversation over the records it holds."""

    a: str
    b: str
