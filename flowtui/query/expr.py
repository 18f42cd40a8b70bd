"""The filter language: text → a small typed expression tree, or one clear error.

The grammar is ``filter.lark`` beside this file (parsed by lark's LALR parser, whose contextual
lexer lets ``reject`` be a keyword as a term and a plain value after ``action =``). This module
is the language's face: ``parse`` and ``FilterError``, the guards against deep nesting, and the
one-line syntax errors with a position and a suggestion. Its rooms: the tree the engines share
(``tree.py``, handed on from here), the meaning each term gets (``meaning.py``), the fields
and values a word can name (``words.py``), globs and regular expressions (``patterns.py``).
Every engine — Arrow (``arrow.py``), SQL (``sql.py``) and the plain-Python reference in the
tests — evaluates the same tree with the same two-valued logic: a comparison that meets a
missing value is false, and ``Not`` is its exact complement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from flowtui.query.meaning import Refused, builder
from flowtui.query.named import Named
from flowtui.query.times import ReferenceDay
from flowtui.query.tree import (
    COMPARE_OPS,
    And,
    Compare,
    Const,
    Expr,
    FlagsAll,
    InNet,
    InSet,
    Leaf,
    Match,
    Not,
    Or,
    fields_used,
    leaves,
)
from flowtui.query.words import nearest_field, resolve_field, unknown_field_reason

if TYPE_CHECKING:  # lark (~0.15 s to import) is loaded when a filter is first parsed
    from lark import Lark, Token, Tree, UnexpectedInput

#: Nesting deeper than this (``not not …``, parentheses, ORs inside ORs) is refused before
#: anything walks the tree: every engine recurses over it (the transformer, Arrow, sqlglot).
MAX_DEPTH = 50


# ----------------------------------------------------------------------------------- errors


class FilterError(ValueError):
    """A filter that can't be read. ``str()`` is one line that quotes the text and marks
    the place with ‸; ``position`` (0-based) lets an input widget underline it."""

    def __init__(self, text: str, position: int, reason: str) -> None:
        self.text = text
        self.position = max(0, min(position, len(text)))
        self.reason = reason
        before, after = text[:self.position], text[self.position:]
        # One readable line whatever was typed (a 5,000-digit number, 500 nested nots).
        before = before if len(before) <= 60 else "…" + before[-60:]
        after = after if len(after) <= 60 else after[:60] + "…"
        super().__init__(f"{reason} (column {self.position + 1}): {before}‸{after}")


# ---------------------------------------------------------------------------------- parsing

GRAMMAR = Path(__file__).with_name("filter.lark")


@cache
def _grammar() -> Lark:
    """The filter parser. Building its LALR tables from filter.lark takes ~55 ms, paid by
    every command with a ``--where`` before it reads a byte; they are shipped made
    (``grammar_tables.py``, ~3 ms to load) and used when they are filter.lark's and the
    installed lark's, else built as before."""
    import hashlib

    import lark
    from lark import Lark

    from flowtui.query import grammar_tables as tables

    text = GRAMMAR.read_text(encoding="utf-8")
    if (tables.LARK_VERSION == lark.__version__
            and tables.GRAMMAR_SHA256 == hashlib.sha256(text.encode()).hexdigest()):
        loaded: Lark = Lark._load_from_dict(tables.DATA, tables.MEMO)  # type: ignore[no-untyped-call]
        return loaded
    return Lark(text, parser="lalr", maybe_placeholders=True)


def grammar_tables_source() -> str:
    """The text of ``grammar_tables.py`` for filter.lark and the installed lark (written by
    scripts/make_grammar_tables.py; the state numbers differ from run to run, the parser
    they make does not)."""
    import hashlib
    import pprint

    import lark
    from lark import Lark
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    text = GRAMMAR.read_text(encoding="utf-8")
    data, memo = Lark(text, parser="lalr", maybe_placeholders=True).memo_serialize(
        [TerminalDef, Rule])
    return (
        '"""The filter grammar\'s LALR tables, made from filter.lark by lark (``expr._grammar``'
        "\nloads them instead of building them on every start).\n\nMade by "
        "scripts/make_grammar_tables.py: run it after changing filter.lark or lark.\n"
        '"""\n# ruff: noqa: E501\n\nfrom typing import Any\n\n'
        f'GRAMMAR_SHA256 = "{hashlib.sha256(text.encode()).hexdigest()}"\n'
        f'LARK_VERSION = "{lark.__version__}"\n\n'
        f"DATA: dict[str, Any] = {pprint.pformat(data, width=100)}\n\n"
        f"MEMO: dict[int, Any] = {pprint.pformat(memo, width=100)}\n")


def parse(text: str, columns: Iterable[str] = (), *, now: datetime | None = None,
          day: ReferenceDay | None = None) -> Expr:
    """The expression ``text`` stands for; ``Const(True)`` for an empty filter.

    ``columns`` are the data's own column names, so a header column outside the catalogue can
    be filtered on; ``now`` anchors ages such as ``-2h``; ``day`` is the day a time without a
    date is read on (times.py; marked used when one is). Raises ``FilterError``.
    """
    if not text.strip():
        return Const(True)
    from lark import Tree, UnexpectedInput
    from lark.exceptions import VisitError

    _prescan(text)
    try:
        tree = _grammar().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    _check_depth(tree, text)
    try:
        build = builder()(text, tuple(columns), now or datetime.now(tz=UTC), day)
        return build.transform(tree)  # type: ignore[attr-defined, no-any-return]
    except VisitError as exc:
        refused = exc.orig_exc
        if isinstance(refused, Refused):
            position = refused.token.start_pos if refused.token is not None else 0
            raise FilterError(text, position or 0, refused.reason) from None
        # Whatever else a value can make fail is still the filter's fault, never a crash of
        # the caller (the app checks each keystroke): one line, at the start of the rule.
        position = _first_position(exc.obj) if isinstance(exc.obj, Tree) else 0
        raise FilterError(text, position, f"cannot read this: {exc.orig_exc}") from None


_NOT_WORD = r"(?:!(?![=~])|(?<![^\s()!])(?i:not)(?![^\s()!,'\"=<>~&|]))"
_NOTS = re.compile(_NOT_WORD + r"(?:\s*" + _NOT_WORD + ")" + f"{{{MAX_DEPTH},}}")


def _prescan(text: str) -> None:
    """Refuse deep nesting before the parser builds it (100,000 parentheses take the parser
    seconds; the app checks every keystroke): parentheses outside quotes, runs of nots."""
    depth, quote, escaped = 0, "", False
    bare = list(text)  # the text with quoted values blanked, for the run of nots
    for position, char in enumerate(text):
        if quote:
            bare[position] = " "
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise FilterError(text, position, f"the filter nests more than {MAX_DEPTH} "
                                                  "levels deep (parentheses)")
        elif char == ")":
            depth = max(depth - 1, 0)
    run = _NOTS.search("".join(bare))
    if run is not None:
        raise FilterError(text, run.start(), f"the filter nests more than {MAX_DEPTH} levels "
                                             "deep (not inside not)")


def _check_depth(tree: Tree[Token], text: str) -> None:
    """Refuse a tree nested deeper than ``MAX_DEPTH``, walking it without recursion."""
    from lark import Tree

    stack: list[tuple[Tree[Token] | Token, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, Tree):
            continue
        if depth > MAX_DEPTH:
            raise FilterError(text, _first_position(node),
                              f"the filter nests more than {MAX_DEPTH} levels deep "
                              "(not, parentheses, and/or inside each other)")
        stack.extend((child, depth + 1) for child in node.children if child is not None)


def _first_position(tree: Tree[Token]) -> int:
    """Where the first token under ``tree`` starts (iteratively: the tree may be deep)."""
    from lark import Token, Tree

    stack: list[Tree[Token] | Token | None] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Token):
            return node.start_pos or 0
        if isinstance(node, Tree):
            stack.extend(reversed(node.children))
    return 0


def _syntax_error(text: str, exc: UnexpectedInput) -> FilterError:
    from lark import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    position = exc.pos_in_stream if exc.pos_in_stream is not None else len(text)
    if isinstance(exc, UnexpectedEOF):
        return FilterError(text, len(text), "the filter ends too early")
    if isinstance(exc, UnexpectedCharacters):
        return FilterError(text, position, f"unexpected {text[position]!r}")
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            prior = _previous_bare(text, len(text))
            if "OP" in exc.expected and prior is not None and resolve_field(prior) is None:
                return FilterError(text, text.rfind(prior), unknown_field_reason(prior, ()))
            expected = _describe_expected(exc.expected)
            return FilterError(text, len(text), f"the filter ends too early: {expected}")
        if token.type in ("BARE", "STRING") and "OP" in exc.expected:
            word = str(exc.token)
            prior = _previous_bare(text, position)
            if prior is not None and resolve_field(prior) is None:
                return FilterError(text, text.rfind(prior, 0, position),
                                   unknown_field_reason(prior, ()))
            return FilterError(text, position, f"expected an operator (= != < > ~ in) before "
                                               f"{word!r}")
        return FilterError(text, position, f"unexpected {str(token)!r}: "
                                           f"{_describe_expected(exc.expected)}")
    return FilterError(text, position, "cannot read the filter here")


def _previous_bare(text: str, position: int) -> str | None:
    before = text[:position].rstrip().split()
    return before[-1] if before else None


_EXPECTED_WORDS = {
    "BARE": "a value or field name", "STRING": "a quoted string", "OP": "an operator",
    "RPAR": "')'", "LPAR": "'('", "COMMA": "','", "KIND": "host, net or port",
}


def _describe_expected(expected: Iterable[str]) -> str:
    words = sorted({_EXPECTED_WORDS.get(name, "") for name in expected} - {""})
    return "expected " + " or ".join(words) if words else "expected more"


__all__ = [
    "COMPARE_OPS", "MAX_DEPTH", "And", "Compare", "Const", "Expr", "FilterError", "FlagsAll",
    "InNet", "InSet", "Leaf", "Match", "Named", "Not", "Or", "fields_used", "leaves",
    "nearest_field", "parse", "resolve_field",
]
