"""Stories from the main screen: the story of the record under the cursor (``i``), the way
back to the sighting chosen in it, and the conversation of two addresses (``v``).

The story and conversation screens do their own work; this feature opens them over the
shown records and answers ``ShowConversation``, whoever posts it (the story screen, the
top-N pane).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import App

from flowtui.names.resolve import Names
from flowtui.ui.features.feature import Feature
from flowtui.ui.features.jobs.story import StoryMemory
from flowtui.ui.features.story.conversation import ConversationScreen
from flowtui.ui.features.story.screen import Jump, StoryScreen
from flowtui.ui.messages import ShowConversation
from flowtui.ui.screen import MainScreen
from flowtui.ui.shown import Shown

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client


class Stories(Feature):
    """Opens stories and conversations over what the table shows."""

    def __init__(self, app: App[Any], screen: MainScreen, shown: Shown,
                 client: Callable[[], S3Client], names: Callable[[], Names | None]) -> None:
        super().__init__()
        self._app = app
        self._screen = screen
        self._shown = shown
        self._client = client
        self._names = names
        #: What each store already holds of the objects a story loads (kept across stories).
        self.memory = StoryMemory()

    def on_mount(self) -> None:
        self.hear(ShowConversation, self._show_conversation)

    def tell(self) -> None:
        """The story of the record under the table's cursor (its own screen)."""
        app = self._app
        if app.screen is not self._screen or app.return_code is not None:
            return  # (another screen, or quitting: ``q`` then ``i``)
        table = self._screen.table
        source, row = table.store, table.cursor_row
        if source is None or row >= len(source):
            app.notify("No record under the cursor", severity="warning", markup=False)
            return
        # the table counts the records of the flow a story loads into the shown store
        story = StoryScreen(source.store, source.store_index(row), client=self._client,
                            memory=self.memory, names=self._names(),
                            on_rows_added=table.data_changed)
        app.push_screen(story, self._jump)

    def _jump(self, result: Jump | None) -> None:
        """Back from a story: the cursor goes to the sighting chosen, if the table shows it
        (the table reads a store or a view of one: ``RowSource`` maps the rows)."""
        table = self._screen.table
        source = table.store
        if result is not None:
            row: int | None = None
            if source is None or source.store is not result.store:
                self._app.notify("The table shows other records now", severity="warning",
                                 markup=False)
            else:
                row = source.index_of(result.index)
                if row is None:
                    self._app.notify("That record is hidden by the table's filter",
                                     severity="warning", markup=False)
            if row is not None:
                table.refresh_now()
                table.move_cursor(row)
        table.focus()

    def _show_conversation(self, message: ShowConversation) -> None:
        store = self._shown.records
        if store is not None:
            self._app.push_screen(ConversationScreen(store, message.a, message.b,
                                                     self._names()))
