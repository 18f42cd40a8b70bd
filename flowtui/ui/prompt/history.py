"""What the user typed before, kept across runs in the user's state directory.

``$XDG_STATE_HOME/flowtui`` (``~/.local/state/flowtui`` without it), one file per prompt,
one entry per line, newest last. History is a convenience: a directory that cannot be read
or written costs the history, never the action the user asked for.
"""

from __future__ import annotations

import os
from pathlib import Path

LIMIT = 200


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "state"
    return root / "flowtui"


class History:
    """Entries of one prompt, oldest first; ``older``/``newer`` walk them from the end."""

    def __init__(self, name: str, limit: int = LIMIT) -> None:
        self.name = name
        self.limit = limit
        self._entries: list[str] | None = None
        self._cursor = 0  # len(entries) means "what the user is typing", not an entry
        self._typed = ""

    @property
    def path(self) -> Path:
        return state_dir() / f"{self.name}-history"

    @property
    def entries(self) -> list[str]:
        if self._entries is None:
            try:
                text = self.path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            self._entries = [line for line in text.splitlines() if line.strip()][-self.limit:]
        return self._entries

    def start(self, typed: str = "") -> None:
        """A prompt opened: walking starts below the newest entry."""
        self._cursor = len(self.entries)
        self._typed = typed

    def older(self, current: str) -> str:
        if self._cursor == len(self.entries):
            self._typed = current
        self._cursor = max(0, self._cursor - 1)
        return self.entries[self._cursor] if self.entries else current

    def newer(self, current: str) -> str:
        if self._cursor >= len(self.entries):
            return current
        self._cursor += 1
        return self._typed if self._cursor == len(self.entries) else self.entries[self._cursor]

    def add(self, text: str) -> None:
        """Remember ``text`` as the newest entry (once) and save."""
        text = text.strip()
        if not text or "\n" in text:
            return
        entries = [e for e in self.entries if e != text] + [text]
        self._entries = entries[-self.limit:]
        self._cursor = len(self._entries)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(self.path.name + ".part")
            partial.write_text("\n".join(self._entries) + "\n", encoding="utf-8")
            partial.replace(self.path)
        except OSError:
            pass  # no state directory: history lasts this run only
