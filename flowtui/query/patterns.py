"""Globs and regular expressions as every engine reads them: RE2 (Arrow, DuckDB) and Java (Athena).

Apart from the builder because the engines need them too: a glob becomes one anchored regular
expression that Arrow, DuckDB and Trino all read the same way, and a pattern is checked with
RE2 itself when the filter is typed, not once data is loaded.
"""

from __future__ import annotations

import pyarrow as pa

from flowtui import arrowcompute as pc


def regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a regular expression RE2 runs (Arrow, DuckDB), or None.
    Checked with RE2 itself, not Python's ``re``: look-around and back-references read in
    Python and fail in RE2 (and so would fail only once data is loaded). Named groups are
    refused too: Athena runs the same pattern with Java's syntax, which spells them
    differently; the subset all three read is documented in the README."""
    if "(?P<" in pattern or "(?P=" in pattern:
        return ("(?P<name>) is Python's and RE2's, not Athena's (Java) syntax: use a plain "
                "group (…)")
    try:
        pc.match_substring_regex(pa.array([""]), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        reason = str(exc).split(":", 1)[-1].strip() or "refused"
        return (f"not a regular expression RE2 reads ({reason}); no look-around, "
                "back-references or (?P<name>)")
    return None


#: A regular expression that matches nothing, for a glob that can't match (``[z-a]``).
NO_MATCH = r"[^\x00-\x{10FFFF}]"


def glob_regex(pattern: str) -> str:
    """A glob (``*``, ``?``, ``[abc]``, ``[!a-z]``, read as Python's ``fnmatch`` reads it) as
    a regular expression anchored to the whole text, in the syntax RE2 (pyarrow, DuckDB) and
    Java (Trino) share. Not ``fnmatch.translate``: its atomic groups and ``(?!)`` are refused
    by RE2 (``a*b*c``, ``[z-a]``)."""
    parts: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        i += 1
        if char == "*":
            if not parts or parts[-1] != ".*":
                parts.append(".*")
        elif char == "?":
            parts.append(".")
        elif char == "[":
            j = i
            if j < n and pattern[j] == "!":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:  # no closing bracket: a literal [
                parts.append(_regex_char("["))
                continue
            negated = pattern[i] == "!"
            ranges = _class_ranges(pattern[i + 1 if negated else i:j])
            i = j + 1
            if not ranges:
                if not negated:
                    return NO_MATCH
                parts.append(".")  # [!] is any one character
                continue
            items = "".join(_regex_char(lo) if lo == hi else
                            f"{_regex_char(lo)}-{_regex_char(hi)}" for lo, hi in ranges)
            parts.append(f"[{'^' if negated else ''}{items}]")
        else:
            parts.append(_regex_char(char))
    return "(?s)\\A" + "".join(parts) + "\\z"


def _regex_char(char: str) -> str:
    """One character, literal in RE2 and Java regular expressions (in a class too)."""
    if char.isascii() and not char.isalnum() and char not in " _":
        return "\\" + char  # (RE2 refuses an escaped word character such as \\_)
    return char


def _class_ranges(body: str) -> list[tuple[str, str]]:
    """A glob class's characters as (first, last) ranges, as fnmatch reads them: ``-``
    between two characters is a range (none when reversed), elsewhere itself."""
    ranges: list[tuple[str, str]] = []
    k = 0
    while k < len(body):
        if k + 2 < len(body) and body[k + 1] == "-":
            if body[k] <= body[k + 2]:
                ranges.append((body[k], body[k + 2]))
            k += 3
        else:
            ranges.append((body[k], body[k]))
            k += 1
    return ranges
