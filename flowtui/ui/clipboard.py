"""Copies to the terminal's clipboard, and the one warning they need inside tmux.

Textual copies as OSC 52: the terminal must allow it, and tmux drops it with
``set-clipboard external`` (some terminals refuse it too), so a "Copied" toast may be
untrue there. The first copy inside tmux says so, once.
"""

from __future__ import annotations

import os

from textual.app import App


class ClipboardApp(App[None]):
    """An app whose first copy inside tmux warns that the terminal may drop it."""

    #: Said on the first copy inside tmux.
    OSC52_NOTE = ("Copies go to the terminal as OSC 52: the terminal must allow it "
                  "(tmux: set -g set-clipboard on). w exports to a file instead.")

    _osc52_told = False

    def copy_to_clipboard(self, text: str) -> None:
        super().copy_to_clipboard(text)
        if os.environ.get("TMUX") and not self._osc52_told:
            self._osc52_told = True
            self.notify(self.OSC52_NOTE, title="Clipboard", severity="warning", timeout=12,
                        markup=False)
