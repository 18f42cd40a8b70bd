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
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from flowtui.decoders import PROTOCOLS, TCP_FLAG_BITS, WELL_KNOWN_PORTS
from flowtui.fields import FIELDS, arrow_type, canonical_name, is_integer
from flowtui.query.named import NAME_FIELDS, NAMEABLE, Named, name_field
from flowtui.query.times import ReferenceDay, parse_time

if TYPE_CHECKING:  # lark (~0.15 s to import) is loaded when a filter is first parsed
    from lark import Lark, Token, Tree, UnexpectedInput

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
#: Value sets, so ``action = reject`` means ``REJECT`` as AWS spells it.
ENUM_VALUES: dict[str, tuple[str, ...]] = {
    "action": ("ACCEPT", "REJECT"),
    "log-status": ("OK", "NODATA", "SKIPDATA"),
    "flow-direction": ("ingress", "egress"),
    "type": ("IPv4", "IPv6", "EFA"),
    "reject-reason": ("BPA", "EC"),
    "sublocation-type": ("wavelength", "outpost", "localzone"),
    "resource-type": ("TransitGateway", "TransitGatewayAttachment"),
}
#: The fields whose every value AWS documents (reference §3.1-§3.4): any other value cannot
#: occur, so comparing with it is an error with the spellings as a hint, not an empty answer.
#: (``reject-reason``, ``sublocation-type`` and ``resource-type`` stay open: AWS adds values.)
CLOSED_ENUMS = frozenset({"action", "log-status", "flow-direction", "type"})
#: The values an integer field can hold, where narrower than its column type: a number
#: outside them cannot occur (``port 99999``), so it is an error rather than an empty answer.
#: ``traffic-path`` is 1-8 (reference §3.5); counters are never negative.
INTEGER_DOMAINS: dict[str, tuple[int, int, str]] = {
    "srcport": (0, 65535, "a port is 0-65535"),
    "dstport": (0, 65535, "a port is 0-65535"),
    "protocol": (0, 255, "a protocol number is 0-255"),
    "tcp-flags": (0, 255, "tcp-flags is a bitmask of 0-255 (FIN 1 SYN 2 RST 4 PSH 8 ACK 16 "
                          "URG 32)"),
    "traffic-path": (1, 8, "traffic-path is 1-8"),
}
#: Nesting deeper than this (``not not …``, parentheses, ORs inside ORs) is refused before
#: anything walks the tree: every engine recurses over it (the transformer, Arrow, sqlglot).
MAX_DEPTH = 50
#: Digits a number may have: a value with more cannot fit any column (int64 has 19).
MAX_DIGITS = 24
_SHORTHANDS: dict[str, tuple[str, int | str]] = {
    "tcp": ("protocol", 6), "udp": ("protocol", 17), "icmp": ("protocol", 1),
    "icmpv6": ("protocol", 58), "icmp6": ("protocol", 58),
    "accept": ("action", "ACCEPT"), "reject": ("action", "REJECT"),
    "nodata": ("log-status", "NODATA"), "skipdata": ("log-status", "SKIPDATA"),
    "ingress": ("flow-direction", "ingress"), "egress": ("flow-direction", "egress"),
}
_FLAG_LETTERS = {"F": 1, "S": 2, "R": 4, "P": 8, "A": 16, "U": 32}
_FLAG_NAMES = {name: bit for bit, name in TCP_FLAG_BITS}
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*(k|m|g|t|kib|mib|gib|tib)?$", re.IGNORECASE)
_SIZE_FACTORS = {"k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12,
                 "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


#: Service names as IANA's registry and /etc/services spell them (what pcap's ``port domain``
#: reads), besides the names flowtui shows (``decoders.WELL_KNOWN_PORTS``).
_IANA_SERVICES = {
    "ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53,
    "bootps": 67, "bootpc": 68, "tftp": 69, "http": 80, "www": 80, "kerberos": 88,
    "pop3": 110, "sunrpc": 111, "ntp": 123, "epmap": 135, "netbios-ns": 137,
    "netbios-dgm": 138, "netbios-ssn": 139, "imap": 143, "snmp": 161, "snmptrap": 162,
    "bgp": 179, "ldap": 389, "https": 443, "microsoft-ds": 445, "kpasswd": 464,
    "submissions": 465, "isakmp": 500, "syslog": 514, "submission": 587, "ldaps": 636,
    "domain-s": 853, "rsync": 873, "ftps-data": 989, "ftps": 990, "imaps": 993,
    "pop3s": 995, "openvpn": 1194, "ms-sql-s": 1433, "l2tp": 1701, "radius": 1812,
    "radius-acct": 1813, "nfs": 2049, "mysql": 3306, "ms-wbt-server": 3389,
    "ipsec-nat-t": 4500, "sip": 5060, "mdns": 5353, "postgresql": 5432, "amqps": 5671,
    "amqp": 5672, "redis": 6379, "http-alt": 8080,
}


@cache
def _services() -> dict[str, int]:
    return {name.lower(): port for port, name in WELL_KNOWN_PORTS.items()} | _IANA_SERVICES


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
        before, after = text[:self.position], text[self.position:]
        # One readable line whatever was typed (a 5,000-digit number, 500 nested nots).
        before = before if len(before) <= 60 else "…" + before[-60:]
        after = after if len(after) <= 60 else after[:60] + "…"
        super().__init__(f"{reason} (column {self.position + 1}): {before}‸{after}")


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
    from lark import Lark

    text = (Path(__file__).with_name("filter.lark")).read_text(encoding="utf-8")
    return Lark(text, parser="lalr", maybe_placeholders=True)


@cache
def _builder() -> type[_Build]:
    """``_Build`` with lark's ``Transformer`` machinery, made when a filter is first parsed
    (so that importing this module, as every question and the app do, does not load lark)."""
    from lark import Transformer

    return type("_LarkBuild", (_Build, Transformer), {})


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
        build = _builder()(text, tuple(columns), now or datetime.now(tz=UTC), day)
        return build.transform(tree)  # type: ignore[attr-defined, no-any-return]
    except VisitError as exc:
        refused = exc.orig_exc
        if isinstance(refused, _Refused):
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


class _Build:
    """Parse tree → Expr, giving values the meaning their field asks for (lark's
    ``Transformer`` is mixed in by ``_builder``)."""

    def __init__(self, text: str, columns: tuple[str, ...], now: datetime,
                 day: ReferenceDay | None = None) -> None:
        super().__init__()
        self.text = text
        self.columns = columns
        self.now = now
        self.day = day

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
        return self._set(field, _listed(items[1:]))

    def _set(self, field: str, values: list[Token]) -> Expr:
        if field in ADDRESS_FIELDS:
            if any("/" in _text(v) for v in values):
                return InNet(field, tuple(self._network(v) for v in values))
            texts = [self._value(field, v) for v in values]
            v6 = [t for t in texts if isinstance(t, str) and ":" in t and _is_address(t)]
            plain = tuple(t for t in texts if t not in v6)
            if v6:  # IPv6 compares as an address: AWS may write it in full form
                nets: Expr = InNet(field, tuple(f"{t}/128" for t in v6))
                return Or((InSet(field, plain), nets)) if plain else nets
            return InSet(field, plain)
        return InSet(field, tuple(self._value(field, v) for v in values))

    def in_net(self, items: list[Token]) -> Expr:
        field = self._field(items[0])
        if field not in ADDRESS_FIELDS:
            raise _Refused(items[1], f"'in' a network needs an address field, not {field!r}"
                                     " (use in (a, b) for a set)")
        return InNet(field, (self._network(items[1]),))

    def _sides(self, qualifier: Token | None, kind: Token) -> tuple[str, tuple[str, ...]]:
        word = str(kind).lower()
        side = str(qualifier).lower() if qualifier is not None else None
        if word in ("host", "ip", "ip6", "net"):
            return word, {None: ("srcaddr", "dstaddr"), "src": ("srcaddr",),
                          "dst": ("dstaddr",), "pkt-src": ("pkt-srcaddr",),
                          "pkt-dst": ("pkt-dstaddr",)}[side]
        if side in ("pkt-src", "pkt-dst"):
            raise _Refused(kind, "pkt-src/pkt-dst qualify host and net only; "
                                 "use src port or dst port")
        return word, {None: ("srcport", "dstport"), "src": ("srcport",),
                      "dst": ("dstport",)}[side]

    def qualified(self, items: list[Token | None]) -> Expr:
        qualifier, kind, op, value = items
        assert kind is not None
        word, names = self._sides(qualifier, kind)
        if value is None:
            if word in ("ip", "ip6") and op is None:
                # pcap's ``ip``/``ip6``: the records of that IP version (by their addresses,
                # which every format has; ``type`` is v3+ only).
                every = "0.0.0.0/0" if word == "ip" else "::/0"
                return Or(tuple(InNet(field, (every,)) for field in names)) \
                    if len(names) > 1 else InNet(names[0], (every,))
            needs = {"port": "a port: port 22, port ssh, port 1000-2000",
                     "net": "a network: net 10.0.0.0/8"}.get(word, f"an address: {word} "
                                                                   "10.0.0.5")
            raise _Refused(op or kind, f"{word} needs {needs}")
        operator = str(op) if op is not None else "="
        if operator == "==":
            operator = "="
        if word == "net" and operator != "=":
            raise _Refused(op, "net takes a CIDR without an operator: net 10.0.0.0/8")
        if operator == "!=" and len(names) > 1:
            raise _Refused(op, f"{word} != … keeps a record when either side differs (both "
                               f"ways of the traffic too): write not {word} {_text(value)}")
        if operator in ("~", "!~"):
            raise _Refused(op, f"{word} takes no pattern: use srcaddr ~ '…' or a field")
        if word in ("host", "ip", "ip6"):
            text = _text(value)
            if "/" in text:
                word = "net"
            elif not _is_address(text):
                raise _Refused(value, f"{word} takes an IP address, not {text!r}"
                                      + _address_hint(text, word))
            elif operator not in ("=", "!="):
                raise _Refused(op, f"{word} compares with = only: use net for a range")
        terms: list[Expr] = []
        for field in names:
            if word == "net":
                terms.append(InNet(field, (self._network(value),)))
            elif word == "port" and operator == "=" and _is_range(_text(value)) \
                    and _text(value).lower() not in _services():
                low, high = (self._value(field, value, part) for part in
                             _text(value).split("-", 1))
                if isinstance(low, int) and isinstance(high, int) and high < low:
                    raise _Refused(value, "the port range ends before it starts")
                terms.append(And((Compare(field, ">=", low), Compare(field, "<=", high))))
            else:
                terms.append(self._comparison(field, operator, value))
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def qualified_set(self, items: list[Token | None]) -> Expr:
        qualifier, kind, *values = items
        assert kind is not None
        word, names = self._sides(qualifier, kind)
        listed = _listed([v for v in values if v is not None])
        if word in ("host", "ip", "ip6", "net"):
            for token in listed:
                text = _text(token)
                if "/" not in text and not _is_address(text):
                    raise _Refused(token, f"{word} takes IP addresses or CIDRs, not {text!r}")
        terms = [self._set(field, listed) for field in names]
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
            self._in_domain("tcp-flags", token, mask)
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
            problem = regex_problem(text)
            if problem is not None:
                raise _Refused(token, problem)
            match: Expr = Match(field, text, "regex")
            return Not(match) if op == "!~" else match
        if op in ("=", "!=") and field in ADDRESS_FIELDS and "/" in text:
            net: Expr = InNet(field, (self._network(token),))
            return _negated_if_known(net, field, op)
        if op in ("=", "!=") and field in ADDRESS_FIELDS and ":" in text and _is_address(text):
            # IPv6 compares as an address, not as text: AWS may write 2001:db8::1 in full.
            one: Expr = InNet(field, (f"{ipaddress.ip_address(text)}/128",))
            return _negated_if_known(one, field, op)
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
                    raise _Refused(token, f"unknown service {text!r}: use a port number "
                                          "or an IANA name (ssh, domain, ftp-data)")
            if number is None and field == "protocol":
                number = _protocols().get(text.lower())
                if number is None:
                    raise _Refused(token, f"unknown protocol {text!r}: use a number or a "
                                          "name such as tcp, udp, icmp")
            if number is None:
                raise _Refused(token, f"{field} is a number, not {text!r}"
                                      + _number_hint(text))
            self._in_domain(field, token, number)
            return number
        if field in ENUM_VALUES:
            for spelling in ENUM_VALUES[field]:
                if spelling.lower() == text.lower():
                    return spelling
            if field in CLOSED_ENUMS:
                raise _Refused(token, f"{field} is {' or '.join(ENUM_VALUES[field])}, "
                                      f"never {text!r}")
            return text
        if field in ADDRESS_FIELDS:
            try:
                return str(ipaddress.ip_address(text))
            except ValueError:
                return text
        return text

    def _in_domain(self, field: str, token: Token, number: int) -> None:
        """Refuse a number the field can never hold: its documented values, else its
        column's type (so nothing is left for Arrow or SQL to overflow on)."""
        if field in INTEGER_DOMAINS:
            low, high, what = INTEGER_DOMAINS[field]
        else:
            kind = arrow_type(field)
            if not pa.types.is_integer(kind):
                return
            width = kind.bit_width
            low, high = (0, 2**width - 1) if pa.types.is_unsigned_integer(kind) else (
                0 if field in _COUNTERS else -(2 ** (width - 1)), 2 ** (width - 1) - 1)
            what = f"{field} is {low}-{high}"
        if not low <= number <= high:
            raise _Refused(token, f"{number} cannot occur: {what}")

    def _time(self, token: Token, text: str, base: str | None = None) -> int:
        try:
            return int(parse_time(text, self.now, base=base, day=self.day).timestamp())
        except (ValueError, OverflowError) as exc:
            raise _Refused(token, str(exc)) from None

    def _network(self, token: Token) -> str:
        text = _abbreviated_network(_text(token))
        try:
            return str(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise _Refused(token, f"not an address or CIDR: {_text(token)!r}") from None

    def _flags(self, token: Token) -> int:
        text = _text(token).strip()
        if text.isascii() and text.isdigit():
            number = _integer(text)
            assert number is not None  # digits always read (too many: past every column)
            self._in_domain("tcp-flags", token, number)
            return number
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


def _listed(values: list[Token]) -> list[Token]:
    """The values of ``(a, b)``, or of nfdump's ``[a b]`` (one LIST token) split into
    tokens that keep their place in the text (for error positions)."""
    from lark import Token

    out: list[Token] = []
    for value in values:
        if value.type != "LIST":
            out.append(value)
            continue
        for m in re.finditer(r"[^\s,\[\]]+", str(value)):
            out.append(Token("BARE", m.group(0), start_pos=(value.start_pos or 0) + m.start()))
    if not out:
        raise _Refused(values[0] if values else None, "an empty list matches nothing")
    return out


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _address_hint(text: str, word: str) -> str:
    if any(c in text for c in "*?["):
        return f" (a glob needs a field: srcaddr = {text}; a network: net 10.0.0.0/24)"
    if re.fullmatch(r"[\d.]+", text):
        return " (an IPv4 address is four numbers 0-255: 10.0.0.5)"
    return f" (for example {word} 10.0.0.5 or {word} 2001:db8::5)"


def _abbreviated_network(text: str) -> str:
    """pcap's short IPv4 networks: ``172.16/16`` is ``172.16.0.0/16``, and ``net 10`` or
    ``net 192.168.1`` (no mask) are the /8 or /24 their octets name."""
    m = re.fullmatch(r"(\d{1,3}(?:\.\d{1,3}){0,2})(/\d{1,2})?", text.strip())
    if not m:
        return text
    octets = m.group(1).split(".")
    mask = m.group(2) or f"/{8 * len(octets)}"
    return ".".join(octets + ["0"] * (4 - len(octets))) + mask


_COUNTERS = frozenset({"packets", "bytes", "start", "end", "packets-lost-no-route",
                       "packets-lost-blackhole", "packets-lost-mtu-exceeded",
                       "packets-lost-ttl-expired"})


def _number_hint(text: str) -> str:
    m = re.fullmatch(r"\s*\d+(?:\.\d+)?\s*([kmgt])i?b\s*", text, re.IGNORECASE)
    if m:
        unit = m.group(1).upper()
        return f" (sizes are {unit} for 10^n or {unit}iB for 2^n: 1M, 1MiB)"
    return ""


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


def _integer(text: str) -> int | None:
    """``1500``, ``10k`` (×1000), ``2M``, ``1.5G``, ``64KiB`` (×1024) …; None if not one."""
    m = _SIZE.match(text.strip())
    if not m:
        return None
    number, unit = m.group(1), (m.group(2) or "").lower()
    if len(number) > MAX_DIGITS:
        return 2**64  # beyond every column: refused by the range check with its reason
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
    "ADDRESS_FIELDS", "CLOSED_ENUMS", "COMPARE_OPS", "ENUM_VALUES", "PORT_FIELDS", "TIME_FIELDS",
    "And", "Compare", "Const", "Expr", "FilterError", "FlagsAll", "InNet", "InSet", "Leaf",
    "Match", "NO_MATCH", "Named", "Not", "Or", "fields_used", "glob_regex", "leaves",
    "nearest_field", "parse", "regex_problem", "resolve_field",
]
