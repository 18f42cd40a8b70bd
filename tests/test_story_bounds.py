"""A story on a flow seen a million times is bounded and cancellable (issue 20.5).

Before: every record of the flow became a Python sighting (1M dicts: ~21 s and 1.35 GB in the
CLI), and the app's Esc and quit waited for it. Now the records nearest to R in time (at most
``SIGHTINGS_LIMIT``) are the sightings, ``found`` counts them all, and the telling asks
whether it was cancelled between batches.
"""

from __future__ import annotations

import pytest

from flowtui.query.story import SIGHTINGS_LIMIT, StoryCancelled, tell
from flowtui.store import RecordStore
from tests.test_story import DEFAULT, ENI, T0, covered, store_of

OTHER_ENI = "eni-0ffffffffffff0002"
MANY = 1_000_000


def _big_store() -> tuple[RecordStore, int]:
    """A request/reply pair seen every 20th of a second for ~14 hours on two ENIs; the row
    told is in the middle."""
    lines = []
    for n in range(MANY):
        t = T0 - MANY // 40 + n // 20
        eni = ENI if n % 4 < 2 else OTHER_ENI
        if n % 2 == 0:
            lines.append(f"2 111122223333 {eni} 10.0.1.5 198.51.100.7 50123 443 6 3 180 "
                         f"{t} {t + 60} ACCEPT OK")
        else:
            lines.append(f"2 111122223333 {eni} 198.51.100.7 10.0.1.5 443 50123 6 3 180 "
                         f"{t} {t + 60} ACCEPT OK")
    return store_of(DEFAULT, lines), MANY // 2


@pytest.fixture(scope="module")
def big() -> tuple[RecordStore, int]:
    return _big_store()


def test_sightings_are_the_nearest_sample_and_the_count_is_whole(big) -> None:
    store, index = big
    story = tell(store, index, coverage=covered())
    assert story.found == MANY
    assert story.sampled
    assert len(story.reply) + len(story.elsewhere) <= SIGHTINGS_LIMIT
    assert story.verdict == "ok"  # the reply right beside R is among the sightings
    assert story.to_json()["found"] == MANY


def test_a_small_flow_is_whole() -> None:
    lines = [f"2 111122223333 {ENI} 10.0.1.5 198.51.100.7 50123 443 6 3 180 {T0} {T0 + 60} "
             "ACCEPT OK",
             f"2 111122223333 {ENI} 198.51.100.7 10.0.1.5 443 50123 6 3 180 {T0} {T0 + 60} "
             "ACCEPT OK"]
    story = tell(store_of(DEFAULT, lines), 0, coverage=covered())
    assert story.found == 2 and not story.sampled and len(story.reply) == 1


def test_a_cancelled_telling_stops_between_batches(big) -> None:
    store, index = big
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 1

    with pytest.raises(StoryCancelled):
        tell(store, index, coverage=covered(), cancelled=cancelled)
    assert len(asked) == 2  # it stopped at the first question after the cancel


async def test_esc_stops_the_telling_in_the_app(tmp_path, monkeypatch) -> None:
    """Esc leaves the story screen and the worker telling it ends at once, instead of
    searching on (before: Esc left it running, and q waited for it)."""
    import threading

    from flowtui.ui.app import FlowtuiApp
    from flowtui.ui.features.story import screen as story_screen
    from flowtui.ui.features.story.screen import StoryScreen
    from tests.ui_helpers import wait_for

    rows = 20_000  # the cancel is proven by order of events, not by a long telling
    path = tmp_path / "busy.log"
    with path.open("w") as out:
        out.write(DEFAULT + "\n")
        for n in range(rows):
            t = T0 + n // 20
            out.write(f"2 111122223333 {ENI} 10.0.1.5 198.51.100.7 50123 443 6 3 180 {t} "
                      f"{t + 60} ACCEPT OK\n")
    started, ended, left = threading.Event(), threading.Event(), threading.Event()
    told: list[object] = []
    real = story_screen.tell_story

    def watched(*args, **kwargs) -> None:
        started.set()
        post = kwargs["post"]

        def posting(message: object) -> None:
            told.append(message)
            post(message)

        try:
            left.wait(60)  # the telling proper starts once the screen is left
            real(*args, **{**kwargs, "post": posting})
        finally:
            ended.set()

    monkeypatch.setattr(story_screen, "tell_story", watched)
    app = FlowtuiApp(str(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.job is not None and not app.job.status.running
                       and app.table.row_count == rows, timeout=120, what="the load")
        app.table.focus()
        await pilot.press("end", "i")
        await wait_for(pilot, started.is_set, what="the telling to start")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, StoryScreen),
                       what="the story screen to close")
        left.set()
        await wait_for(pilot, ended.is_set, timeout=60, what="the telling to end")
        # Esc cancelled the worker: the telling, started after it, ended without a story (a
        # finished one posts StoryTold) — a fact of the cancel, not of the machine's speed.
        assert told == [], told
        assert not isinstance(app.screen, StoryScreen)
