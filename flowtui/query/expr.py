"""The filter language: text → a small typed expression tree, or one clear error.

The grammar is ``filter.lark`` beside this file (parsed by lark's LALR parser, whose contextual
lexer lets ``reject`` be a keyword as a term and a plain value after ``action =``). This module
gives the tree its meaning: which field a word names, what a value is for that field (a port
name, a protocol name, a time, a CIDR, a glob), and what the nfdump-style shorthands stand for.
Every engine — Arrow (``arrow.py``), SQL (``sql.py``) and the plain-Python reference in the
tests — evaluates the same tree with the same two-valued logic: a comparison that meets a
missing value is false, and ``Not`` is its exact complement.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput
from lark.exceptions import UnexpectedToken, VisitError

from flowtui.decoders import PROTOCOLS, TCP_FLAG_BITS, WELL_KNOWN_PORTS
from flowtui.fields import FIELDS, canonical_name, is_integer
from flowtui.query.named import NAME_FIELDS, NAMEABLE, Named, name_field
from flowtui.query.times import parse_time

# ---------------------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Compare:
    """``field op value``; ``value`` is an int for integer fields, else a string."""

    field: str
    op: str  # one of = != < <= > >=
    value: int | str


@dataclass(frozen=True)
class InSet:
    field: str
    values: tuple[int | str, ...]


@dataclass(frozen=True)
class InNet:
    """The field holds an address inside one of ``networks`` (normalised CIDR text)."""

    field: str
    networks: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """A regular expression (``kind="regex"``, searched anywhere in the text, RE2/Python
    syntax) or a glob (``kind="glob"``: ``*`` and ``?``, matching the whole text)."""

    field: str
    pattern: str
    kind: str  # "regex" or "glob"


@dataclass(frozen=True)
class FlagsAll:
    """Every bit of ``mask`` is set in the OR-ed ``tcp-flags`` value."""

    field: str
    mask: int


@dataclass(frozen=True)
class Not:
    item: Expr


@dataclass(frozen=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Const:
    """Always true or always false (an empty filter is ``Const(True)``)."""

    value: bool


Expr = Compare | InSet | InNet | Match | FlagsAll | Not | And | Or | Const | Named
Leaf = Compare | InSet | InNet | Match | FlagsAll | Named
COMPARE_OPS = ("=", "!=", "<", "<=", ">", ">=")


def leaves(expr: Expr) -> Iterator[Leaf]:
    match expr:
        case Not(item):
            yield from leaves(item)
        case And(items) | Or(items):
            for item in items:
                yield from leaves(item)
        case Const():
            return
        case _:
            yield expr


def fields_used(expr: Expr) -> set[str]:
    return {leaf.field for leaf in leaves(expr)}


# ------------------------------------------------------------------------------ field facts

TIME_FIELDS = frozenset({"start", "end"})
ADDRESS_FIELDS = frozenset({"srcaddr", "dstaddr", "pkt-srcaddr", "pkt-dstaddr"})
PORT_FIELDS = frozenset({"srcport", "dstport"})
#: Closed-looking value sets, so ``action = reject`` means ``REJECT`` as AWS spells it.
ENUM_VALUES: dict[str, tuple[str, ...]] = {
    "action": ("ACCEPT", "REJECT"),
    "log-status": ("OK", "NODATA", "SKIPDATA"),
    "flow-direction": ("ingress", "egress"),
    "type": ("IPv4", "IPv6", "EFA"),
    "reject-reason": ("BPA", "EC"),
    "sublocation-type": ("wavelength", "outpost", "localzone"),
    "resource-type": ("TransitGateway", "TransitGatewayAttachment"),
}
_SHORTHANDS: dict[str, tuple[str, int | str]] = {
    "tcp": ("protocol", 6), "udp": ("protocol", 17), "icmp": ("protocol", 1),
    "icmpv6": ("protocol", 58),
    "accept": ("action", "ACCEPT"), "reject": ("action", "REJECT"),
    "nodata": ("log-status", "NODATA"), "skipdata": ("log-status", "SKIPDATA"),
    "ingress": ("flow-direction", "ingress"), "egress": ("flow-direction", "egress"),
}
_FLAG_LETTERS = {"F": 1, "S": 2, "R": 4, "P": 8, "A": 16, "U": 32}
_FLAG_NAMES = {name: bit for bit, name in TCP_FLAG_BITS}
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*(k|m|g|t|kib|mib|gib|tib)?$", re.IGNORECASE)
_SIZE_FACTORS = {"k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12,
                 "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


@cache
def _services() -> dict[str, int]:
    return {name.lower(): port for port, name in WELL_KNOWN_PORTS.items()}


@cache
def _protocols() -> dict[str, int]:
    names = {keyword.lower(): number for number, (keyword, _title) in PROTOCOLS.items()
             if keyword}
    # What people type for IANA's IPv6-ICMP, as the bare shorthand does.
    return names | {"icmpv6": 58, "icmp6": 58}


# ----------------------------------------------------------------------------------- errors


class FilterError(ValueError):
    """A filter that can't be read. ``str()`` is one line that quotes the text and marks
    the place with ‸; ``position`` (0-based) lets an input widget underline it."""

    def __init__(self, text: str, position: int, reason: str) -> None:
        self.text = text
        self.position = max(0, min(position, len(text)))
        self.reason = reason
        marked = f"{text[:self.position]}‸{text[self.position:]}"
        super().__init__(f"{reason} (column {self.position + 1}): {marked}")


class _Refused(Exception):
    """Raised inside the transformer with the offending token; turned into FilterError."""

    def __init__(self, token: Token | None, reason: str) -> None:
        super().__init__(reason)
        self.token = token
        self.reason = reason


def nearest_field(name: str, known: Iterable[str]) -> str | None:
    candidates = {canonical_name(k) for k in known}
    found = difflib.get_close_matches(name.lower().replace("_", "-"), candidates, n=1,
                                      cutoff=0.6)
    return found[0] if found else None


def resolve_field(name: str, extra: Iterable[str] = ()) -> str | None:
    """The canonical name of a catalogue field (``log_status`` → ``log-status``) or of a
    column the data has (header names outside the catalogue); None when it is neither."""
    canonical = canonical_name(name)
    if canonical in FIELDS:
        return canonical
    for column in extra:
        if column == name or column.lower() == name.lower():
            return column
    return None


# ---------------------------------------------------------------------------------- parsing

@cache
def _grammar() -> Lark:
    text = (Path(__file__).with_name("filter.lark")).read_text(encoding="utf-8")
    return Lark(text, parser="lalr", maybe_placeholders=True)


def parse(text: str, columns: Iterable[str] = (), *, now: datetime | None = None) -> Expr:
    """The expression ``text`` stands for; ``Const(True)`` for an empty filter.

    ``columns`` are the data's own column names, so a header column outside the catalogue can
    be filtered on; ``now`` anchors ages such as ``-2h``. Raises ``FilterError``.
    """
    if not text.strip():
        return Const(True)
    try:
        tree = _grammar().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    try:
        return _Build(text, tuple(columns), now or datetime.now(tz=UTC)).transform(tree)
    except VisitError as exc:
        refused = exc.orig_exc
        if isinstance(refused, _Refused):
            position = refused.token.start_pos if refused.token is not None else 0
            raise FilterError(text, position or 0, refused.reason) from None
        raise


def _syntax_error(text: str, exc: UnexpectedInput) -> FilterError:
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
                return FilterError(text, text.rfind(prior), _unknown_field_reason(prior, ()))
            expected = _describe_expected(exc.expected)
            return FilterError(text, len(text), f"the filter ends too early: {expected}")
        if token.type in ("BARE", "STRING") and "OP" in exc.expected:
            word = str(exc.token)
            prior = _previous_bare(text, position)
            if prior is not None and resolve_field(prior) is None:
                return FilterError(text, text.rfind(prior, 0, position),
                                   _unknown_field_reason(prior, ()))
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


def _unknown_field_reason(name: str, columns: Iterable[str]) -> str:
    known = list(FIELDS) + list(columns)
    hint = nearest_field(name, known)
    if hint is None and name.lower() in _services():
        return f"unknown field {name!r} (did you mean 'port {name}'?)"
    return f"unknown field {name!r}" + (f" (did you mean {hint!r}?)" if hint else "")


class _Build(Transformer[Token, Expr]):
    """Parse tree → Expr, giving values the meaning their field asks for."""

    def __init__(self, text: str, columns: tuple[str, ...], now: datetime) -> None:
        super().__init__()
        self.text = text
        self.columns = columns
        self.now = now

    # --- structure
    def start(self, items: list[Expr]) -> Expr:
        return items[0] if items else Const(True)

    def or_expr(self, items: list[Expr]) -> Expr:
        return Or(tuple(items))

    def and_expr(self, items: list[Expr]) -> Expr:
        return And(tuple(items))

    def negate(self, items: list[Expr]) -> Expr:
        return Not(items[0])

    # --- terms
    def compare(self, items: list[Token]) -> Expr:
        name, op, value = items
        if name_field(str(name)) is not None and resolve_field(str(name), self.columns) is None:
            return self._named_compare(name, str(op), value)  # not a column of the data
        field = self._field(name)
        return self._comparison(field, str(op), value)

    def in_set(self, items: list[Token]) -> Expr:
        field = self._field(items[0])
        if field in ADDRESS_FIELDS and any("/" in _text(v) for v in items[1:]):
            return InNet(field, tuple(self._network(v) for v in items[1:]))
        return InSet(field, tuple(self._value(field, v) for v in items[1:]))

    def in_net(self, items: list[Token]) -> Expr:
        field = self._field(items[0])
        if field not in ADDRESS_FIELDS:
            raise _Refused(items[1], f"'in' a network needs an address field, not {field!r}"
                                     " (use in (a, b) for a set)")
        return InNet(field, (self._network(items[1]),))

    def qualified(self, items: list[Token | None]) -> Expr:
        qualifier, kind, op, value = items
        assert kind is not None and value is not None
        word = str(kind).lower()
        side = str(qualifier).lower() if qualifier is not None else None
        if word in ("host", "ip", "net"):
            names = {None: ("srcaddr", "dstaddr"), "src": ("srcaddr",), "dst": ("dstaddr",),
                     "pkt-src": ("pkt-srcaddr",), "pkt-dst": ("pkt-dstaddr",)}[side]
        else:
            if side in ("pkt-src", "pkt-dst"):
                raise _Refused(kind, "pkt-src/pkt-dst qualify host and net only; "
                                     "use src port or dst port")
            names = {None: ("srcport", "dstport"), "src": ("srcport",),
                     "dst": ("dstport",)}[side]
        operator = str(op) if op is not None else "="
        if word == "net" and operator != "=":
            raise _Refused(op, "net takes a CIDR without an operator: net 10.0.0.0/8")
        terms: list[Expr] = []
        for field in names:
            if word == "net":
                terms.append(InNet(field, (self._network(value),)))
            elif word == "port" and operator == "=" and _is_range(_text(value)):
                low, high = (self._value(field, value, part) for part in
                             _text(value).split("-", 1))
                terms.append(And((Compare(field, ">=", low), Compare(field, "<=", high))))
            else:
                terms.append(self._comparison(field, operator, value))
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def proto(self, items: list[Token]) -> Expr:
        return Compare("protocol", "=", self._value("protocol", items[0]))

    def shorthand(self, items: list[Token]) -> Expr:
        field, value = _SHORTHANDS[str(items[0]).lower()]
        return Compare(field, "=", value)

    def flags(self, items: list[Token]) -> Expr:
        mask = 0
        for token in items:
            mask |= self._flags(token)
        return FlagsAll("tcp-flags", mask)

    def during(self, items: list[Token]) -> Expr:
        token = items[0]
        text = _text(token)
        if ".." not in text:
            raise _Refused(token, "during needs a range: during 2026-11-30T14:00..14:30")
        first, last = text.split("..", 1)
        low = self._time(token, first)
        high = self._time(token, last, base=first)
        if high < low:
            raise _Refused(token, "during: the range ends before it starts")
        return And((Compare("start", "<=", high), Compare("end", ">=", low)))

    def name_term(self, items: list[Token]) -> Expr:
        return Named(NAME_FIELDS, _text(items[0]), "name", _start(items[0]))

    def sg_term(self, items: list[Token]) -> Expr:
        return Named(("interface-id",), _text(items[0]), "sg", _start(items[0]))

    def _named_compare(self, name: Token, op: str, value: Token) -> Expr:
        field = resolve_field(name_field(str(name)) or "")
        if field not in NAMEABLE:
            raise _Refused(name, f"{str(name)!r}: names are for {', '.join(NAMEABLE)} "
                                 "(srcaddr.name = web-1)")
        named = Named((field,), _text(value), "name", _start(name))
        if op in ("=", "=="):
            return named
        if op == "!=":  # a name, and not this one: false where there is no name, as != is
            return And((Named((field,), "*", "name", _start(name)), Not(named)))
        raise _Refused(name, f"{str(name)!r} takes = or != with a name or a glob")

    # --- meanings
    def _field(self, token: Token) -> str:
        field = resolve_field(str(token), self.columns)
        if field is None:
            raise _Refused(token, _unknown_field_reason(str(token), self.columns))
        return field

    def _comparison(self, field: str, op: str, token: Token) -> Expr:
        if op == "==":
            op = "="
        text = _text(token)
        if op in ("~", "!~"):
            try:
                re.compile(text)
            except re.error as exc:
                raise _Refused(token, f"not a regular expression: {exc}") from None
            match: Expr = Match(field, text, "regex")
            return Not(match) if op == "!~" else match
        if op in ("=", "!=") and field in ADDRESS_FIELDS and "/" in text:
            net: Expr = InNet(field, (self._network(token),))
            return _negated_if_known(net, field, op)
        if (op in ("=", "!=") and not is_integer(field) and field not in ENUM_VALUES
                and any(c in text for c in "*?[")):
            glob: Expr = Match(field, text, "glob")
            return _negated_if_known(glob, field, op)
        return Compare(field, op, self._value(field, token))

    def _value(self, field: str, token: Token, text: str | None = None) -> int | str:
        text = _text(token) if text is None else text.strip()
        if field in TIME_FIELDS:
            return self._time(token, text)
        if field == "tcp-flags" and not text.isdigit():
            return self._flags(token)
        if is_integer(field):
            number = _integer(text)
            if number is None and field in PORT_FIELDS:
                number = _services().get(text.lower())
                if number is None:
                    raise _Refused(token, f"unknown service {text!r}: use a port number")
            if number is None and field == "protocol":
                number = _protocols().get(text.lower())
                if number is None:
                    raise _Refused(token, f"unknown protocol {text!r}: use a number or a "
                                          "name such as tcp, udp, icmp")
            if number is None:
                raise _Refused(token, f"{field} is a number, not {text!r}")
            return number
        if field in ENUM_VALUES:
            for spelling in ENUM_VALUES[field]:
                if spelling.lower() == text.lower():
                    return spelling
            return text
        if field in ADDRESS_FIELDS:
            try:
                return str(ipaddress.ip_address(text))
            except ValueError:
                return text
        return text

    def _time(self, token: Token, text: str, base: str | None = None) -> int:
        try:
            return int(parse_time(text, self.now, base=base).timestamp())
        except ValueError as exc:
            raise _Refused(token, str(exc)) from None

    def _network(self, token: Token) -> str:
        text = _text(token)
        try:
            return str(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise _Refused(token, f"not an address or CIDR: {text!r}") from None

    def _flags(self, token: Token) -> int:
        text = _text(token).strip()
        if text.isdigit():
            return int(text)
        mask = 0
        for part in re.split(r"[+,|]", text):
            name = part.strip().upper()
            if name in _FLAG_NAMES:
                mask |= _FLAG_NAMES[name]
            elif name and all(c in _FLAG_LETTERS for c in name):
                for c in name:
                    mask |= _FLAG_LETTERS[c]
            else:
                raise _Refused(token, f"unknown TCP flag {part!r}: use letters F S R P A U "
                                      "or names SYN ACK FIN RST PSH URG")
        return mask


def _negated_if_known(expr: Expr, field: str, op: str) -> Expr:
    """``!=`` with a glob or CIDR: false where the value is missing, as every ``!=`` is."""
    if op == "=":
        return expr
    return And((Not(expr), Compare(field, "!=", "")))


def _text(token: Token) -> str:
    text = str(token)
    if token.type == "STRING":
        quote, body = text[0], text[1:-1]
        # Only an escaped quote is unescaped: a regular expression keeps its backslashes.
        return body.replace("\\" + quote, quote)
    return text


def _start(token: Token) -> int:
    return token.start_pos or 0


def _is_range(text: str) -> bool:
    low, _, high = text.partition("-")
    return bool(low) and bool(high)


def _integer(text: str) -> int | None:
    """``1500``, ``10k`` (×1000), ``2M``, ``1.5G``, ``64KiB`` (×1024) …; None if not one."""
    m = _SIZE.match(text.strip())
    if not m:
        return None
    number, unit = m.group(1), (m.group(2) or "").lower()
    factor = _SIZE_FACTORS.get(unit, 1)
    value = float(number) * factor if "." in number else int(number) * factor
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


# ----------------------------------------------------------------------- glob as a regex

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


__all__ = [
    "ADDRESS_FIELDS", "COMPARE_OPS", "ENUM_VALUES", "PORT_FIELDS", "TIME_FIELDS",
    "And", "Compare", "Const", "Expr", "FilterError", "FlagsAll", "InNet", "InSet", "Leaf",
    "Match", "NO_MATCH", "Named", "Not", "Or", "fields_used", "glob_regex", "leaves",
    "nearest_field", "parse", "resolve_field",
]
