"""Reading a value, and numbers, sizes and times as a person reads them.

Apart from the decoders of each field because every one of them starts here: a value as the
store holds it (int or str) read as a number without refusing what is not one, and the words
shared by the decoders and the cell text (``1 packet``, ``6.9 KiB``, a UTC time; flow logs
use seconds, millisecond values seen in the wild are read as such, §0, §11.8).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def as_int(value: object) -> int | None:
    """An int from a typed or textual value; None when it isn't one (shown as is instead)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isascii() and text.lstrip("+-").isdigit():
            return int(text)
    return None


def not_a_number(value: object) -> str:
    return f"{value!r} is not a number; shown as is"


def undocumented(value: object) -> str:
    return f"{value} (not a documented value; shown as is)"


def enum_decoder(table: dict[str, str]) -> Callable[[object], str | None]:
    """A decoder for a closed-looking set that still accepts values AWS adds later."""

    def decode(value: object) -> str | None:
        text = str(value)
        if text in table:
            return table[text]
        return undocumented(text)

    return decode


def counted(number: int, unit: str) -> str:
    """``1 packet``, ``2 packets``: the unit is given in the plural; its first word loses
    the ``s`` for exactly one (``1 packet dropped (no route)``)."""
    if number == 1:
        word, space, rest = unit.partition(" ")
        unit = word.removesuffix("s") + space + rest
    return f"{number:,} {unit}"


def decode_count(unit: str) -> Callable[[object], str | None]:
    def decode(value: object) -> str | None:
        number = as_int(value)
        if number is None:
            return not_a_number(value)
        return counted(number, unit)

    return decode


def decode_bytes(value: object) -> str | None:
    number = as_int(value)
    if number is None:
        return not_a_number(value)
    text = counted(number, "bytes")
    return text if abs(number) < 1024 else f"{text} ({human_bytes(number)})"


#: The IEC binary prefixes (IEC 80000-13): a KiB is 1024 bytes, a MiB 1024 KiB, and so on.
#: ``KB``/``MB`` would read as the filter language's ``1k``/``1M``, which are powers of 1000.
BINARY_UNITS = ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")


def human_bytes(number: int | float) -> str:
    """A size as people read it, in powers of 1024 with IEC units: ``0 B``, ``1023 B``,
    ``1.0 KiB``, ``12.3 KiB``, ``123 KiB``, ``4.7 MiB``.

    Three digits or more, as ``ls -h`` gives: one decimal below 100, none from 100; a value
    that rounds to 1024 of a unit is 1.0 of the next (1,048,575 bytes is ``1.0 MiB``, not
    ``1024.0 KiB``). So the text is at most 8 cells (``1023 KiB``) and a column of sizes
    stays narrow; the exact count is the detail panel's (``decode_bytes``)."""
    if abs(number) < 1024:
        return f"{int(number)} B"
    amount = float(number)
    for unit in BINARY_UNITS:
        amount /= 1024
        if abs(round(amount, 1)) < 100:
            return f"{amount:.1f} {unit}"
        if abs(round(amount)) < 1024 or unit == BINARY_UNITS[-1]:
            return f"{amount:.0f} {unit}"
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- times (§0, §11.8)

MILLISECONDS_THRESHOLD = 2**31


def epoch_to_datetime(value: object) -> tuple[datetime, bool] | None:
    """The UTC time of an epoch value and whether it was read as milliseconds.

    Flow logs use seconds, but millisecond values have been seen in the wild; anything above
    2^31 (a seconds value after 2038) is taken as milliseconds.
    """
    number = as_int(value)
    if number is None or number < 0:
        return None
    millis = number > MILLISECONDS_THRESHOLD
    try:
        moment = datetime.fromtimestamp(number / 1000 if millis else number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment, millis


def decode_time(value: object) -> str | None:
    parsed = epoch_to_datetime(value)
    if parsed is None:
        if as_int(value) is None:
            return not_a_number(value)
        return f"{value} is not a valid epoch time; shown as is"
    moment, millis = parsed
    if millis:
        stamp = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return f"{stamp} (UTC; the value was in milliseconds, read as such)"
    return f"{moment.isoformat(timespec='seconds').replace('+00:00', 'Z')} (UTC)"


def display_time(value: object) -> str:
    parsed = epoch_to_datetime(value)
    if parsed is None:
        return str(value)
    return parsed[0].strftime("%Y-%m-%d %H:%M:%S")
