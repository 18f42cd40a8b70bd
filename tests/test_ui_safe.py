"""What reaches the screen from data is literal: no markup, no control characters."""

from __future__ import annotations

from flowtui.ui.widgets.safe import literal, text


def test_control_characters_become_visible_escapes() -> None:
    assert literal("a\x1b[31mb\x07c\r\n") == "a\\x1b[31mb\\x07c\\x0d\\x0a"
    assert literal("\x9b2J") == "\\x9b2J"  # C1 CSI


def test_bidi_overrides_cannot_reorder_the_text() -> None:
    assert literal("abc\u202edcba") == "abc\\u202edcba"


def test_markup_is_kept_as_text() -> None:
    shown = text("[red]x[/red] [link=http://e]y[/link]")
    assert shown.plain == "[red]x[/red] [link=http://e]y[/link]"
    assert not shown.spans


def test_plain_values_pass_unchanged() -> None:
    assert literal("eni-0a1b2c3d 10.0.0.1 é 名前") == "eni-0a1b2c3d 10.0.0.1 é 名前"
    assert literal(443) == "443"
