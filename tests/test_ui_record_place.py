"""The detail panel and the copy message name a record truly: ``row 6 of 40 in view`` (its row
of what the table shows, after a filter or a sort) and ``line 57 of flows.log.gz`` (its line in
the object's text, which an editor opens). They said ``record 6``, the row of the view, which
a user copied into a ticket as the record's place in its file and found another record there.
Local files, read as the app reads them.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import Static

from flowtui.ui.app import FlowtuiApp
from tests.conftest import flow_lines, parquet_object, text_object
from tests.test_ui_goto_end import notes
from tests.test_ui_truth import at_rest, opened
from tests.ui_helpers import press, wait_for

STAMP = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


def title(app: FlowtuiApp) -> str:
    return str(app.detail.query_one("#detail-title", Static).content)


def line_holding(path: Path, record: dict[str, object]) -> int:
    """The line of ``path``'s text that holds ``record`` (found by its values, here)."""
    text = gzip.decompress(path.read_bytes()).decode().splitlines()
    fields = text[0].split(" ")
    found = [number for number, line in enumerate(text, start=1) if line.split(" ") == [
        "-" if record.get(name) is None else str(record.get(name)) for name in fields]]
    assert len(found) == 1, found
    return found[0]


def skipping_object(folder: Path, count: int, seed: int, blank: int, bad: int) -> Path:
    """``count`` records with a blank line before record ``blank`` and a bad line before
    record ``bad`` (counted among the lines already placed), as flows.log.gz."""
    lines = flow_lines(count, seed=seed, account="111122223333", stamp=STAMP)
    lines.insert(blank, "")
    lines.insert(bad, "2 123 not a record")
    path = folder / "flows.log.gz"
    path.write_bytes(text_object(lines))
    return path


async def test_a_filtered_sorted_view_names_the_row_and_the_line_of_the_object(
        tmp_path: Path) -> None:
    """A blank line and a bad line in the object, a filter and a sort: the panel says the
    cursor's row of the view and the line of the file that holds its record; c says the
    same with the object's whole path (fails before: "record 6", "Copied record 6")."""
    path = skipping_object(tmp_path, 120, seed=11, blank=30, bad=50)
    app = FlowtuiApp(str(path))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        await press(pilot, "slash", *"accept", "enter", "s")  # sort on the first column
        await wait_for(pilot, lambda: app.shown.view is not None and app.shown.view.sorted
                       and not app.sorts.running, timeout=20, what="filtered and sorted")
        await press(pilot, *"jjjjj")
        await at_rest(pilot, app)
        table = app.table
        assert table.store is not None and table.cursor_row == 5
        record = table.store.row(5)
        line = line_holding(path, record)
        count = table.row_count
        assert count < 119  # the filter hides records
        assert title(app).startswith(f"row 6 of {count} in view · line {line} of flows.log.gz")
        await press(pilot, "c")
        await wait_for(pilot, lambda: any(n.startswith("Copied") for n in notes(app)),
                       what="the copy message")
        said = next(n for n in notes(app) if n.startswith("Copied"))
        assert said == f"Copied row 6 of {count} in view · line {line} of {path} as JSON"


async def test_records_after_a_blank_and_a_bad_line_name_their_own_lines(
        tmp_path: Path) -> None:
    """No filter: row N is not line N + 1 once a line was skipped; the line said is the
    record's own (fails before: "record 60", which is line 63 of the file)."""
    path = skipping_object(tmp_path, 80, seed=12, blank=10, bad=40)
    app = FlowtuiApp(str(path))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        await press(pilot, *("j" * 59))
        await at_rest(pilot, app)
        table = app.table
        assert table.store is not None and table.cursor_row == 59
        line = line_holding(path, table.store.row(59))
        assert line == 63  # header, a blank and a bad line before it
        assert title(app).startswith("row 60 of 80 · line 63 of flows.log.gz")


async def test_a_parquet_record_is_named_by_its_row_only(tmp_path: Path) -> None:
    """Parquet has no lines: the panel says the row plainly, and the object's name."""
    path = tmp_path / "flows.parquet"
    path.write_bytes(parquet_object(flow_lines(30, seed=13, account="111122223333",
                                               stamp=STAMP)))
    app = FlowtuiApp(str(path))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot, app)
        await press(pilot, "j", "j")
        await at_rest(pilot, app)
        assert title(app).startswith("row 3 of 30  flows.parquet")
        assert "line" not in title(app)
