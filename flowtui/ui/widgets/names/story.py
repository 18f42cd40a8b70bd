"""The story screen in names: who spoke to whom, and for a REJECT the rule that refused it.

The core (``flowtui.names.story.annotate``) names the record's sides and evaluates today's
network ACL and security groups; this runs it in a thread worker (the rule walks the whole
inventory) and turns its answer into the lines the screen shows under the explanation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.message import Message
from textual.worker import get_current_worker

from flowtui.names.story import annotate
from flowtui.ui.widgets.safe import literal


@dataclass
class StoryNamed(Message):
    """``annotate``'s answer for ``story``: ``{"names", "who", "rule"}``."""

    story: Any
    extra: Mapping[str, Any]


def name_story(story: Any, names: Any, post: Callable[[Message], object]) -> None:
    """Thread worker: annotate ``story`` and post the answer (nothing if cancelled; a
    failure is a line of its own, never the story's end)."""
    worker = get_current_worker()
    try:
        extra: Mapping[str, Any] = annotate(story, names)
    except Exception as exc:  # an inventory shaped in a way we did not foresee
        extra = {"who": "", "rule": None, "error": f"names: {exc}"}
    if not worker.is_cancelled:
        post(StoryNamed(story, extra))


def named_text(extra: Mapping[str, Any]) -> Text:
    """``who   web-1 (i-0abc, sg-web) → db-1 tcp 5432`` and ``rule  NACL acl-… inbound rule
    90 denies tcp 22 from 198.51.100.0/24 — today's configuration …``."""
    out = Text()
    named = any(extra.get("names", {}).values())
    if extra.get("who") and named:  # with no name in it, the line would repeat the record
        out.append("who   ", style="bold")
        out.append(literal(extra["who"]))
    rule = extra.get("rule")
    if rule:
        out.append("\nrule  " if out else "rule  ", style="bold")
        out.append(literal(rule.get("text", "")))
    if extra.get("error"):
        out.append("\n" + literal(extra["error"]), style="italic")
    return out


__all__ = ["StoryNamed", "name_story", "named_text"]
