from flowtui.textsafe import printable


def test_escape_sequences_and_controls_become_visible() -> None:
    assert printable("key\x1b[31mred\x07") == "key\\x1b[31mred\\x07"
    assert printable("a\nb") == "a\\x0ab"
    assert printable("a\nb", keep_newlines=True) == "a\nb"
    assert printable("c1\x9b") == "c1\\x9b"


def test_ordinary_text_and_unicode_are_untouched() -> None:
    for value in ("eni-0abc", "[red]x[/red]", "Zürich 東京", "a\tb"):
        assert printable(value) == value.replace("\t", "\\x09")


BIDI_CONTROLS = [*map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)),
                 "\u200e", "\u200f", "\u061c"]


def test_bidi_controls_become_visible_as_in_the_tui() -> None:
    from flowtui.ui.widgets.safe import literal

    assert printable("evil\u202etxt.exe") == "evil\\u202etxt.exe"
    for char in BIDI_CONTROLS:
        value = f"a{char}b"
        assert printable(value) == f"a\\u{ord(char):04x}b" == literal(value)
        assert printable(value, keep_newlines=True) == printable(value)


def test_arrow_finds_exactly_the_characters_printable_escapes() -> None:
    """The cat writers look for values to escape with these patterns in Arrow's RE2; they
    must agree with ``printable`` (Python's re) character for character."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from flowtui.textsafe import UNSAFE, UNSAFE_KEEPING_NEWLINES

    chars = [chr(code) for code in range(0x3000) if not 0xD800 <= code < 0xE000]
    for pattern, keep in ((UNSAFE, False), (UNSAFE_KEEPING_NEWLINES, True)):
        found = pc.match_substring_regex(pa.array(chars), pattern).to_pylist()
        escaped = [printable(c, keep_newlines=keep) != c for c in chars]
        assert found == escaped
