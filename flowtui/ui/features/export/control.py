"""Export as the user asks for it: a path typed in the prompt (a name made from the prefix and
the filter offered in the current directory), progress on the status line, the rows written
in a notification; and the first rows of a small view copied as CSV (OSC 52).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App

from flowtui.names.columns import named_columns
from flowtui.names.resolve import Names
from flowtui.s3.url import S3Url, S3UrlError, is_s3_url
from flowtui.ui.features.feature import Feature, quiet_when_closing
from flowtui.ui.features.jobs.export import (
    ExportDone,
    ExportProgress,
    ExportRunner,
    format_of,
    write_csv,
)
from flowtui.ui.features.jobs.load import Loads
from flowtui.ui.features.jobs.tail import Tails
from flowtui.ui.screen import MainScreen
from flowtui.ui.shown import Shown
from flowtui.ui.widgets.prompt.bar import Check, PromptBar, PromptSpec
from flowtui.ui.widgets.prompt.history import History
from flowtui.ui.widgets.safe import literal

KIND = "export"
COPY_ROWS = 500
"""Rows copied as CSV at most: an OSC 52 payload is held in memory by the terminal, and
some cap it (xterm's default is about 100 KB of base64)."""
COPY_BYTES = 64_000


class Exports(Feature):
    """``w`` writes the shown rows to a file (in a worker); ``C`` copies them as CSV."""

    def __init__(self, app: App[Any], screen: MainScreen, shown: Shown, loads: Loads,
                 tails: Tails) -> None:
        super().__init__()
        self._app = app
        self._screen = screen
        self._shown = shown
        self._loads = loads
        self._tails = tails
        self.runner = ExportRunner(app, self.post_message)
        self.history = History("export")

    # --- to a file

    def open(self) -> None:
        screen = self._screen
        if screen.table.store is None or not screen.table.row_count:
            self._app.notify("Nothing to export yet", markup=False, timeout=2)
            return
        screen.prompt.border_title = "Export view to"
        screen.prompt.open(PromptSpec(
            KIND, "file", self.default_path(), check=self.check, history=self.history,
            placeholder="name.csv, name.jsonl or name.parquet", owner=self))

    @on(PromptBar.Submitted)
    def _prompt_submitted(self, message: PromptBar.Submitted) -> None:
        self._screen.table.focus()
        self.start(message.value)

    @on(PromptBar.Closed)
    def _prompt_closed(self, message: PromptBar.Closed) -> None:
        self._screen.table.focus()

    def _label(self) -> str:
        """What the table shows, for the file's name: the tail's prefix or the load's."""
        tail, job = self._tails.job, self._loads.job
        if tail is not None and self._shown.holds(tail.store):
            return tail.url
        return job.label if job is not None else ""

    def default_path(self) -> str:
        """``<prefix>[_<filter>].csv`` in the current directory."""
        stem = _stem(self._label()) or "flowtui-export"
        where = self._shown.query.where_text
        if where:
            stem += "_" + _slug(where)
        return stem + ".csv"

    def check(self, text: str) -> Check:
        path = Path(text.strip()).expanduser()
        if not text.strip():
            return Check(False, "type a file name")
        fmt = format_of(str(path))
        if fmt is None:
            return Check(False, "name the format: .csv, .jsonl or .parquet",
                         len(text.rstrip()))
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            return Check(False, f"no such folder: {folder}", 0)
        rows = self._screen.table.row_count
        if path.is_dir():
            return Check(False, "that is a folder", 0)
        replace = " (replaces the file there)" if path.exists() else ""
        return Check(True, f"Enter writes {rows:,} rows as {fmt.upper()}{replace}")

    def start(self, text: str) -> None:
        screen = self._screen
        path = os.path.abspath(Path(text.strip()).expanduser())  # the toast names it whole
        fmt = format_of(path)
        source = screen.table.store
        if fmt is None or source is None:
            return
        view, store = self._shown.view, self._shown.records
        gathered = None
        if view is not None:
            batches, gathered = view.batches, view.iter_gathered
        elif store is not None:
            batches = store.batches
        else:
            return
        columns, names = self._columns()
        self.runner.start(path, fmt, batches, columns, len(source), gathered, names)
        screen.status.note = f"exporting to {Path(path).name}…"

    def _columns(self) -> tuple[Sequence[str], Names | None]:
        """The columns the table shows, and the names it shows (None: none): names on screen
        go in a file and a copy as FIELD.name columns, as ``cat --names`` writes them."""
        table = self._screen.table
        names = table.cell_names.names if table.cell_names.active else None
        columns = table.view_columns
        return (named_columns(columns) if names is not None else columns), names

    @on(ExportProgress)
    @quiet_when_closing
    def progress(self, message: ExportProgress) -> None:
        job = self.runner.job
        if job is None or job.id != message.job_id or self._screen.closing:
            return
        self._screen.status.note = (f"exporting {message.rows:,}/{message.total:,} rows to "
                                    f"{Path(job.path).name}")

    @on(ExportDone)
    @quiet_when_closing
    def done(self, message: ExportDone) -> None:
        job = self.runner.job
        if job is None or job.id != message.job_id or self._screen.closing:
            return
        self._screen.status.note = ""
        name = literal(message.path)
        shown = self._screen.table.decoded
        named = job.names is not None
        if message.error is not None:
            # The error names the file itself (``run_export``): said once, not twice.
            self._app.notify(literal(message.error), title="Export failed",
                             severity="error", markup=False)
        elif message.cancelled:
            self._app.notify(f"Export to {name} cancelled; nothing written", markup=False)
        else:
            self._app.notify(f"Wrote {message.rows:,} rows to {name} ({values_note(shown, named)})",
                             title="Exported", markup=False, timeout=6)

    # --- to the clipboard

    def copy_csv(self) -> None:
        """The first rows of the view as ``w`` writes them to a CSV file (``write_csv``:
        the same columns, names and text), except that a newline or tab in a value is
        escaped as the other control characters are: the text's only newlines end rows, so
        pasted into a shell nothing in it can end a bracketed paste or run a command."""
        table = self._screen.table
        if table.store is None or not table.row_count:
            self._app.notify("Nothing to copy yet", markup=False, timeout=2)
            return
        columns, names = self._columns()
        out = io.StringIO()
        write_csv(out, self._shown.first_batches(min(COPY_ROWS, table.row_count)), columns,
                  names, keep_newlines=False)
        text, rows = whole_rows(out.getvalue())
        self._app.copy_to_clipboard(text)
        total = table.row_count
        more = "" if rows == total else f" (the first {rows:,} of {total:,}; w exports all)"
        self._app.notify(f"Copied {rows:,} rows as CSV{more}", markup=False)


def values_note(decoded: bool, named: bool = False) -> str:
    """What the file holds: the logged values (numbers, epoch seconds), whatever the table
    shows, so a reader of the toast knows not to expect the decoded text on screen; and
    the names shown, as FIELD.name columns beside them."""
    note = ("raw values as logged, not decoded as the table shows them" if decoded
            else "raw values as logged")
    return note + ", names as FIELD.name columns" if named else note


def whole_rows(csv_text: str, limit: int = COPY_BYTES) -> tuple[str, int]:
    """The header and as many whole rows of ``csv_text`` (one line each: no newline in a
    value) as fit in ``limit`` characters, at least one; and how many rows that is."""
    if len(csv_text) > limit:
        cut = csv_text.rfind("\n", 0, limit) + 1
        first_row_end = csv_text.find("\n", csv_text.find("\n") + 1) + 1
        csv_text = csv_text[:max(cut, first_row_end)]
    return csv_text, csv_text.count("\n") - 1


def _stem(label: str) -> str:
    """A file-name stem from a load's label (an object, a folder, an s3:// URL)."""
    text = label.strip()
    if is_s3_url(text):
        try:
            url = S3Url.parse(text)
            text = url.key or url.bucket
        except S3UrlError:
            pass
    parts = [p for p in re.split(r"[/\\]", text) if p]
    if not parts:
        return ""
    digits = 0
    while digits < min(4, len(parts)) and parts[-1 - digits].isdigit():
        digits += 1
    run = parts[len(parts) - digits:]
    if run and len(run[0]) != 4:  # a day or hour folder: from its year, 2024-03-05[-14]
        run = run[1:] if len(run) > 1 and len(run[1]) == 4 else []
    last = "-".join(run) if len(run) >= 2 else parts[-1]
    for suffix in (".log.gz", ".gz", ".parquet", ".log", ".txt"):
        if last.lower().endswith(suffix):
            last = last[:-len(suffix)]
            break
    return _slug(last)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._]+", "-", text).strip("-.")[:60].strip("-.")
