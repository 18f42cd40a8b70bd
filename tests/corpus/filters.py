"""Hostile filter texts (issue 20 item 1): what a user, a paste or a fuzzer can put in the
filter bar or ``--where``. Each must be one ``FilterError`` with a place and a reason, never
another exception (the app checks every keystroke and catches only ``FilterError``), and never
an empty answer.

    python tests/corpus/filters.py   # prints them, to paste by hand
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FilterCase:
    """A filter text and a piece of its one-line error."""

    name: str
    text: str
    message: str


DIGITS_5000 = "9" * 5000

FILTER_CASES: list[FilterCase] = [
    # times beyond what a datetime holds (OverflowError, "int too large to convert to C int")
    FilterCase("age-800000d", "start > 800000d", "outside the times a record can have"),
    FilterCase("age-11-digits", "start > 99999999999d", "outside the times a record can have"),
    FilterCase("year-1-less-an-hour", "start > 0001-01-01T00:00+01:00",
               "outside the times a record can have"),
    FilterCase("year-9999-plus-an-hour", "end < 9999-12-31T23:59-01:00",
               "outside the times a record can have"),
    FilterCase("epoch-5000-digits", f"start > {DIGITS_5000}", "outside the times"),
    FilterCase("during-overflow", "during 0001-01-01T00:00+05:00..2024-01-01", "outside"),
    # numbers past Python's int() digit limit and past every column
    FilterCase("bytes-5000-digits", f"bytes > {DIGITS_5000}", "cannot occur"),
    FilterCase("port-5000-digits", f"port {DIGITS_5000}", "cannot occur"),
    FilterCase("flags-5000-digits", f"flags {DIGITS_5000}", "cannot occur"),
    FilterCase("bytes-past-int64", "bytes > 10000000T", "cannot occur"),
    FilterCase("flags-256", "flags 256", "cannot occur"),
    FilterCase("tcp-flags-256", "tcp-flags = 256", "cannot occur"),
    FilterCase("protocol-300", "proto 300", "cannot occur"),
    # nesting that would exhaust the recursion limit of the transformer, Arrow or sqlglot
    FilterCase("not-x500", "not " * 500 + "tcp", "nests more than"),
    FilterCase("bang-x2000", "!" * 2000 + "tcp", "nests more than"),
    FilterCase("nested-ors-200", "(tcp or " * 200 + "udp" + ")" * 200, "nests more than"),
    FilterCase("nested-ands-not-300", "(not tcp and " * 300 + "udp" + ")" * 300,
               "nests more than"),
    FilterCase("parens-100000", "(" * 100_000 + "tcp" + ")" * 100_000, "nests more than"),
    FilterCase("bang-x100000", "!" * 100_000 + "tcp", "nests more than"),
    # regular expressions Python's re reads and RE2 (Arrow, DuckDB) refuses
    FilterCase("regex-lookahead", "srcaddr ~ '(?=x)'", "RE2"),
    FilterCase("regex-backreference", "interface-id ~ '(a)\\1'", "RE2"),
    FilterCase("regex-named-group", "srcaddr ~ '(?P<n>x)'", "Athena"),
    FilterCase("regex-lookbehind", "srcaddr !~ '(?<!x)y'", "RE2"),
]


def main() -> None:
    for case in FILTER_CASES:
        print(case.text if len(case.text) < 200 else f"{case.text[:60]}… ({case.name})")


if __name__ == "__main__":
    main()
