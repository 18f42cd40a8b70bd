"""Running the app in a terminal: its S3 client, the theme for the terminal's colours, and
an end as the signal that stopped it says (``flowtui [target]``, ``flowtui tail URL``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from flowtui.config import Settings
from flowtui.names.resolve import NamesOptions
from flowtui.tail import TailOptions
from flowtui.ui.app import FlowtuiApp
from flowtui.ui.features.jobs.athena import AthenaOptions

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client


def theme_for_colours(color_system: str | None) -> str | None:
    """The theme for a terminal of so many colours (None: Textual's default).

    With 16 colours (TERM=xterm) the truecolour theme comes out as a forced black background
    and a focus border as red as the REJECT rows; the terminal's own colours look right."""
    return "ansi-dark" if color_system in ("standard", "windows") else None


def run(target: str | None = None, *, profile: str | None = None, region: str | None = None,
        endpoint_url: str | None = None, no_sign: bool = False, theme: str | None = None,
        follow: str | None = None, tail_options: TailOptions | None = None,
        athena: AthenaOptions | None = None, settings: Settings | None = None,
        settings_error: str | None = None, names: NamesOptions | None = None,
        help_note: str = "") -> int:
    """Entry point for ``flowtui [target]`` (and ``flowtui tail URL`` with ``follow``)."""
    from flowtui.s3.session import make_client

    def factory() -> S3Client:
        return make_client(profile=profile, region=region, endpoint_url=endpoint_url,
                           no_sign=no_sign)

    theme = theme or os.environ.get("FLOWTUI_THEME") or None
    if theme is None:
        from rich.console import Console

        theme = theme_for_colours(Console().color_system)
    app = FlowtuiApp(target, client_factory=factory, theme=theme, follow=follow,
                     tail_options=tail_options, athena=athena, settings=settings,
                     settings_error=settings_error, names=names, region=region)
    app.help_note = help_note  # the demo's endpoint, shown by ?
    from flowtui.ui.signals import exit_on_signals

    with exit_on_signals(app) as received:
        app.run()
    if received:  # the terminal is restored: now end as the signal says (issue 20.11),
        from flowtui.outfile import EndedBySignal  # once the callers' cleanups have run

        raise EndedBySignal(received[0])
    return 0
