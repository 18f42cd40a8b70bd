from flowtui.textsafe import printable


def test_escape_sequences_and_controls_become_visible() -> None:
    assert printable("key\x1b[31mred\x07") == "key\\x1b[31mred\\x07"
    assert printable("a\nb") == "a\\x0ab"
    assert printable("a\nb", keep_newlines=True) == "a\nb"
    assert printable("c1\x9b") == "c1\\x9b"


def test_ordinary_text_and_unicode_are_untouched() -> None:
    for value in ("eni-0abc", "[red]x[/red]", "Zürich 東京", "a\tb"):
        assert printable(value) == value.replace("\t", "\\x09")
