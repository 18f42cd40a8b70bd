"""A paste onto a pane that takes no text (the table, the histogram, the top-N list).

Terminals paste as a bracketed paste (the app asks for it), which Textual hands to the
focused widget as one ``Paste`` event, not as keys. Only a prompt's input takes one: pasted
onto the table, ``/reject`` copied from a runbook was dropped without a word. Here a paste
that starts with a prompt key (``/`` filter, ``@`` go to time, ``:`` go to path) becomes that
key and then a paste of the rest, both through the key gate (``keygate.py``), so the rest
lands in the prompt the key opened. Any other paste is refused with a message: typing it as
keys would run them (``q`` of a pasted ``quit`` would quit).
"""

from __future__ import annotations

from collections.abc import Mapping

from textual import events
from textual.keys import _character_to_key
from textual.widget import Widget
from textual.widgets import Input, TextArea

from flowtui.ui.actions import BY_ID, keys_now

#: The actions whose key opens a prompt that takes text.
PROMPT_ACTIONS = ("app.filter", "table.filter", "app.go-to-time", "histogram.jump",
                  "browser.go-to-path", "top.find")

REFUSED = ("Pasted text goes into a prompt: start it with / (filter), @ (go to time) or, "
           "in the browser, : (go to path); nothing was done")


def takes_text(widget: Widget | None) -> bool:
    return isinstance(widget, Input | TextArea)


def prompt_keys(keymap: Mapping[str, str] | None) -> set[str]:
    """The key names that open a prompt, as the keymap has them."""
    keys: set[str] = set()
    for ident in PROMPT_ACTIONS:
        keys.update(key.strip() for key in keys_now(BY_ID[ident], keymap).split(","))
    return keys


def as_keys(text: str, keymap: Mapping[str, str] | None) -> list[events.Event] | None:
    """The prompt key and a paste of the rest, or None when ``text`` starts with no prompt
    key."""
    first = text[:1]
    if not first:
        return []
    key = _character_to_key(first)
    if key not in prompt_keys(keymap):
        return None
    out: list[events.Event] = [events.Key(key, first)]
    if text[1:]:
        out.append(events.Paste(text[1:]))
    return out
