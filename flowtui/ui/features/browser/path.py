"""``:`` in the browser: type a place (``s3://bucket/prefix`` or a prefix in the bucket
shown) and list it, instead of walking there a folder at a time.

It uses the screen's prompt bar, so the typed text is checked as it is typed and kept in a
history like the filter's.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual import on

from flowtui.s3.url import SCHEME
from flowtui.ui.features.feature import Feature
from flowtui.ui.screen import MainScreen
from flowtui.ui.widgets.browser.pane import BrowserPane
from flowtui.ui.widgets.browser.sources import NoPlace, typed_location
from flowtui.ui.widgets.prompt.bar import Check, PromptBar, PromptSpec
from flowtui.ui.widgets.prompt.history import History

KIND = "path"


class PathPrompt(Feature):
    """``:`` (or the browser's own key): list a typed place or a bookmark."""

    def __init__(self, screen: MainScreen, browser: BrowserPane,
                 bookmarks: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self._screen = screen
        self._browser = browser
        self.history = History("path")
        #: the config file's named places: ``:prod`` lists the prefix named prod
        self.bookmarks: Mapping[str, str] = dict(bookmarks or {})

    def open(self) -> None:
        here = self._browser.location
        value = here.title if here is not None and here.kind == "s3" else ""
        prompt = self._screen.prompt
        prompt.border_title = "Go to path"
        prompt.open(PromptSpec(
            KIND, ":", value, check=self.check, history=self.history,
            placeholder=self._placeholder(), owner=self))

    def on_mount(self) -> None:
        self.hear(BrowserPane.PathWanted, lambda _message: self.open())

    @on(PromptBar.Submitted)
    def _prompt_submitted(self, message: PromptBar.Submitted) -> None:
        # the focus goes to the list the place is shown in: on a small terminal a focus
        # on the table hid the browser again, and the listing was out of sight
        self._browser.show()
        self.go(message.value)

    @on(PromptBar.Closed)
    def _prompt_closed(self, message: PromptBar.Closed) -> None:
        if self._browser.display:
            self._browser.entry_list.focus()  # back where ":" was pressed
        else:
            self._screen.table.focus()

    def _placeholder(self) -> str:
        hint = "s3://bucket/prefix · a prefix in the bucket shown"
        if self.bookmarks:
            hint += " · a bookmark: " + ", ".join(sorted(self.bookmarks))
        return hint

    def _resolve(self, text: str) -> str:
        # The bar opens with the folder shown; a URL typed or pasted after it starts over
        # at its s3:// (as a second / does in a shell's or Emacs's file prompt), rather
        # than naming 's3://b/day/s3://b/…', an empty place.
        again = text.rfind(SCHEME)
        if again > 0:
            text = text[again:]
        return self.bookmarks.get(text.strip(), text)

    def check(self, text: str) -> Check:
        try:
            place = typed_location(self._resolve(text), self._browser.location)
        except NoPlace as exc:
            return Check(False, exc.reason, exc.position)
        named = " (bookmark)" if text.strip() in self.bookmarks else ""
        return Check(True, f"Enter lists {place.title}{named} · Esc closes")

    def go(self, text: str) -> None:
        try:
            place = typed_location(self._resolve(text), self._browser.location)
        except NoPlace:  # checked as typed; the location may have moved since
            self._browser.app.bell()
            return
        self._browser.display = True
        self._browser.go_to(place)
