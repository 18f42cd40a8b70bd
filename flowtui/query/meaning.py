"""The filter's meaning: lark's parse tree in, the expression tree (``tree.py``) out.

Apart from the parser (``expr.py``), which turns text into lark's tree and errors into one
line: this is where each term gets the meaning its field asks for (a port name, a protocol
name, a time, a CIDR, a glob) and where the nfdump- and pcap-style shorthands (``port``,
``host``, ``net``, ``proto``, ``flags``, ``during``) are spelled out. A value that cannot mean
anything for its field raises ``Refused`` with the offending token, for ``expr.parse`` to turn
into a ``FilterError`` at the token's place.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

import pyarrow as pa

from flowtui.fields import ADDRESS_FIELDS, arrow_type, is_integer
from flowtui.query.named import NAME_FIELDS, NAMEABLE, Named, name_field
from flowtui.query.patterns import regex_problem
from flowtui.query.times import ReferenceDay, parse_time
from flowtui.query.tree import And, Compare, Const, Expr, FlagsAll, InNet, InSet, Match, Not, Or
from flowtui.query.words import (
    CLOSED_ENUMS,
    COUNTERS,
    ENUM_VALUES,
    FLAG_LETTERS,
    FLAG_NAMES,
    INTEGER_DOMAINS,
    LOWER_CASE_IDS,
    OPERATOR_WORDS,
    PORT_FIELDS,
    TIME_FIELDS,
    abbreviated_network,
    address_hint,
    integer,
    is_address,
    number_hint,
    protocols,
    resolve_field,
    services,
    unknown_field_reason,
)

if TYPE_CHECKING:
    from lark import Token

_SHORTHANDS: dict[str, tuple[str, int | str]] = {
    "tcp": ("protocol", 6), "udp": ("protocol", 17), "icmp": ("protocol", 1),
    "icmpv6": ("protocol", 58), "icmp6": ("protocol", 58),
    "accept": ("action", "ACCEPT"), "reject": ("action", "REJECT"),
    "nodata": ("log-status", "NODATA"), "skipdata": ("log-status", "SKIPDATA"),
    "ingress": ("flow-direction", "ingress"), "egress": ("flow-direction", "egress"),
}


class Refused(Exception):
    """Raised inside the transformer with the offending token; turned into FilterError."""

    def __init__(self, token: Token | None, reason: str) -> None:
        super().__init__(reason)
        self.token = token
        self.reason = reason


@cache
def builder() -> type[_Build]:
    """``_Build`` with lark's ``Transformer`` machinery, made when a filter is first parsed
    (so that importing this module, as every question and the app do, does not load lark)."""
    from lark import Transformer

    return type("_LarkBuild", (_Build, Transformer), {})


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
        _no_contradiction(items)
        return And(tuple(items))

    def negate(self, items: list[Expr]) -> Expr:
        return Not(items[0])

    # --- terms
    def compare(self, items: list[Token]) -> Expr:
        name, op, value = items
        if name_field(str(name)) is not None and resolve_field(str(name), self.columns) is None:
            return self._named_compare(name, _operator(op), value)  # not a column of the data
        field = self._field(name)
        return self._comparison(field, _operator(op), value)

    def in_set(self, items: list[Token]) -> Expr:
        field = self._field(items[0])
        return self._set(field, _listed(items[1:]))

    def _set(self, field: str, values: list[Token]) -> Expr:
        if field in ADDRESS_FIELDS:
            if any("/" in _text(v) for v in values):
                return InNet(field, tuple(self._network(v) for v in values))
            texts = [self._value(field, v) for v in values]
            v6 = [t for t in texts if isinstance(t, str) and ":" in t and is_address(t)]
            plain = tuple(t for t in texts if t not in v6)
            if v6:  # IPv6 compares as an address: AWS may write it in full form
                nets: Expr = InNet(field, tuple(f"{t}/128" for t in v6))
                return Or((InSet(field, plain), nets)) if plain else nets
            return InSet(field, plain)
        return InSet(field, tuple(self._value(field, v) for v in values))

    def in_net(self, items: list[Token]) -> Expr:
        field = self._field(items[0])
        if field not in ADDRESS_FIELDS:
            raise Refused(items[1], f"'in' a network needs an address field, not {field!r}"
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
            raise Refused(kind, "pkt-src/pkt-dst qualify host and net only; "
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
            raise Refused(op or kind, f"{word} needs {needs}")
        operator = _operator(op) if op is not None else "="
        if word == "net" and operator != "=":
            raise Refused(op, "net takes a CIDR without an operator: net 10.0.0.0/8")
        if operator == "!=" and len(names) > 1:
            raise Refused(op, f"{word} != … keeps a record when either side differs (both "
                              f"ways of the traffic too): write not {word} {_text(value)}")
        if operator in ("~", "!~"):
            raise Refused(op, f"{word} takes no pattern: use srcaddr ~ '…' or a field")
        if word in ("host", "ip", "ip6"):
            text = _text(value)
            if "/" in text:
                word = "net"
            elif not is_address(text):
                raise Refused(value, f"{word} takes an IP address, not {text!r}"
                                     + address_hint(text, word))
            elif operator not in ("=", "!="):
                raise Refused(op, f"{word} compares with = only: use net for a range")
        terms: list[Expr] = []
        for field in names:
            if word == "net":
                terms.append(InNet(field, (self._network(value),)))
            elif word == "port" and operator == "=" and _is_range(_text(value)) \
                    and _text(value).lower() not in services():
                low, high = (self._value(field, value, part) for part in
                             _text(value).split("-", 1))
                if isinstance(low, int) and isinstance(high, int) and high < low:
                    raise Refused(value, "the port range ends before it starts")
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
                if "/" not in text and not is_address(text):
                    raise Refused(token, f"{word} takes IP addresses or CIDRs, not {text!r}")
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
            raise Refused(token, "during needs a range: during 2026-11-30T14:00..14:30")
        first, last = text.split("..", 1)
        low = self._time(token, first)
        high = self._time(token, last, base=first)
        if high < low:
            raise Refused(token, "during: the range ends before it starts")
        return And((Compare("start", "<=", high), Compare("end", ">=", low)))

    def name_term(self, items: list[Token]) -> Expr:
        return Named(NAME_FIELDS, _text(items[0]), "name", _start(items[0]))

    def sg_term(self, items: list[Token]) -> Expr:
        return Named(("interface-id",), _text(items[0]), "sg", _start(items[0]))

    def _named_compare(self, name: Token, op: str, value: Token) -> Expr:
        field = resolve_field(name_field(str(name)) or "")
        if field not in NAMEABLE:
            raise Refused(name, f"{str(name)!r}: names are for {', '.join(NAMEABLE)} "
                                "(srcaddr.name = web-1)")
        named = Named((field,), _text(value), "name", _start(name))
        if op in ("=", "=="):
            return named
        if op == "!=":  # a name, and not this one: false where there is no name, as != is
            return And((Named((field,), "*", "name", _start(name)), Not(named)))
        raise Refused(name, f"{str(name)!r} takes = or != with a name or a glob")

    # --- meanings
    def _field(self, token: Token) -> str:
        field = resolve_field(str(token), self.columns)
        if field is None:
            raise Refused(token, unknown_field_reason(str(token), self.columns))
        return field

    def _comparison(self, field: str, op: str, token: Token) -> Expr:
        try:
            return self._compared(field, "=" if op == "==" else op, token)
        except Refused as refused:
            other = resolve_field(str(token), self.columns) if token.type == "BARE" else None
            if refused.token is not token or other is None:
                raise
            # ``srcport = dstport``: not a value of the field ("unknown service 'dstport'")
            # but a second field, which no engine here compares row by row.
            raise Refused(token, f"{other!r} is a field: a filter compares a field with a "
                                 f"value ({field} {op} {_example(field)}), not two fields "
                                 "(for that, edit the SQL that flowtui sql prints)") from None

    def _compared(self, field: str, op: str, token: Token) -> Expr:
        text = _text(token)
        if op in ("~", "!~"):
            problem = regex_problem(text)
            if problem is not None:
                raise Refused(token, problem)
            match: Expr = Match(field, text, "regex")
            return Not(match) if op == "!~" else match
        if field in ADDRESS_FIELDS and op not in ("=", "!="):
            # Addresses are text in the store and in SQL: < and > would order them as
            # strings ('3.5.13.168' >= '10.5.9.0'), a silent wrong answer.
            raise Refused(token, f"{field} compares with = or != only: for a range use "
                                 f"{field} in 10.0.0.0/16 or net 10.0.0.0/16")
        if op in ("=", "!=") and field in ADDRESS_FIELDS and "/" in text:
            net: Expr = InNet(field, (self._network(token),))
            return _negated_if_known(net, field, op)
        if op in ("=", "!=") and field in ADDRESS_FIELDS and ":" in text and is_address(text):
            # IPv6 compares as an address, not as text: AWS may write 2001:db8::1 in full.
            one: Expr = InNet(field, (f"{ipaddress.ip_address(text)}/128",))
            return _negated_if_known(one, field, op)
        if (op in ("=", "!=") and not is_integer(field) and field not in ENUM_VALUES
                and any(c in text for c in "*?[")):
            if field in LOWER_CASE_IDS or field in ADDRESS_FIELDS:
                text = text.lower()  # as AWS writes IDs and IPv6 hex: ENI-0AB* is eni-0ab*
            glob: Expr = Match(field, text, "glob")
            return _negated_if_known(glob, field, op)
        value = self._value(field, token, in_domain=False)
        domain = _domain(field) if isinstance(value, int) else None
        if domain is None or not isinstance(value, int):
            return Compare(field, op, value)
        low, high, says = domain
        if value < low and op in (">", ">=", "!="):
            # true of every record with a value, as ``bytes >= 0`` is (never negative)
            return Compare(field, ">=", low)
        if value > high and op in ("<", "<=", "!="):
            return Compare(field, "<=", high)
        self._in_domain(field, token, value)  # ``bytes = -1``, ``bytes < -1``, ``port 99999``
        if (op == "<" and value == low) or (op == ">" and value == high):
            # in the domain, yet past its end: ``packets < 0``, ``dstport > 65535``
            raise Refused(token, f"{field} {op} {value} cannot match: {says}")
        return Compare(field, op, value)

    def _value(self, field: str, token: Token, text: str | None = None, *,
               in_domain: bool = True) -> int | str:
        text = _text(token) if text is None else text.strip()
        if field in TIME_FIELDS:
            return self._time(token, text)
        if field == "tcp-flags" and not text.isdigit():
            return self._flags(token)
        if is_integer(field):
            number = integer(text)
            if number is None and text.startswith("-") and integer(text[1:]) is not None:
                number = -(integer(text[1:]) or 0)  # no field holds it: says _in_domain
            if number is None and field in PORT_FIELDS:
                number = services().get(text.lower())
                if number is None:
                    raise Refused(token, f"unknown service {text!r}: use a port number "
                                         "or an IANA name (ssh, domain, ftp-data)")
            if number is None and field == "protocol":
                number = protocols().get(text.lower())
                if number is None:
                    raise Refused(token, f"unknown protocol {text!r}: use a number or a "
                                         "name such as tcp, udp, icmp")
            if number is None:
                raise Refused(token, f"{field} is a number, not {text!r}"
                                     + number_hint(text))
            if in_domain:
                self._in_domain(field, token, number)
            return number
        if field in ENUM_VALUES:
            for spelling in ENUM_VALUES[field]:
                if spelling.lower() == text.lower():
                    return spelling
            if field in CLOSED_ENUMS:
                raise Refused(token, f"{field} is {' or '.join(ENUM_VALUES[field])}, "
                                     f"never {text!r}")
            return text
        if field in ADDRESS_FIELDS:
            try:
                return str(ipaddress.ip_address(text))
            except ValueError:
                # AWS writes an address or '-' (missing) here, so a word matched nothing by
                # construction (``srcaddr = reject``); damaged text is still reachable by ~.
                raise Refused(token, f"{field} takes an IP address, not {text!r}"
                                     + address_hint(text, f"{field} =")) from None
        if field in LOWER_CASE_IDS:
            return text.lower()  # AWS writes IDs in lower case: ENI-0ABC is eni-0abc
        return text

    def _in_domain(self, field: str, token: Token, number: int) -> None:
        """Refuse a number the field can never hold: its documented values, else its
        column's type (so nothing is left for Arrow or SQL to overflow on)."""
        domain = _domain(field)
        if domain is not None and not domain[0] <= number <= domain[1]:
            raise Refused(token, f"{number} cannot occur: {domain[2]}")

    def _time(self, token: Token, text: str, base: str | None = None) -> int:
        try:
            return int(parse_time(text, self.now, base=base, day=self.day).timestamp())
        except (ValueError, OverflowError) as exc:
            raise Refused(token, str(exc)) from None

    def _network(self, token: Token) -> str:
        text = abbreviated_network(_text(token))
        try:
            return str(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise Refused(token, f"not an address or CIDR: {_text(token)!r}") from None

    def _flags(self, token: Token) -> int:
        text = _text(token).strip()
        if text.isascii() and text.isdigit():
            number = integer(text)
            assert number is not None  # digits always read (too many: past every column)
            self._in_domain("tcp-flags", token, number)
            return number
        mask = 0
        for part in re.split(r"[+,|]", text):
            name = part.strip().upper()
            if name in FLAG_NAMES:
                mask |= FLAG_NAMES[name]
            elif name and all(c in FLAG_LETTERS for c in name):
                for c in name:
                    mask |= FLAG_LETTERS[c]
            else:
                raise Refused(token, f"unknown TCP flag {part!r}: use letters F S R P A U "
                                     "or names SYN ACK FIN RST PSH URG")
        return mask


def _no_contradiction(items: list[Expr]) -> None:
    """Refuse ``and`` of two different values of one field (``tcp and udp``, ``accept and
    reject``, ``dstport = 22 and dstport = 80``): a record holds one value, so it matched
    nothing by construction, where the user most likely meant ``or``."""
    seen: dict[str, object] = {}
    for item in items:
        if not isinstance(item, Compare) or item.op != "=":
            continue
        other = seen.setdefault(item.field, item.value)
        if other != item.value:
            raise Refused(None, f"{item.field} can't be {other} and {item.value} in one record "
                                "(and keeps what matches both): use or to keep either")


def _domain(field: str) -> tuple[int, int, str] | None:
    """The numbers ``field`` can hold and how to say so: its documented values, else its
    column's type (counters never negative); None for a field that holds no integer."""
    if field in INTEGER_DOMAINS:
        return INTEGER_DOMAINS[field]
    kind = arrow_type(field)
    if not pa.types.is_integer(kind):
        return None
    width = kind.bit_width
    low, high = (0, 2**width - 1) if pa.types.is_unsigned_integer(kind) else (
        0 if field in COUNTERS else -(2 ** (width - 1)), 2 ** (width - 1) - 1)
    return low, high, f"{field} is {low}-{high}"


def _operator(token: Token) -> str:
    """The operator ``token`` spells: ``port gt 1024`` is ``port > 1024``."""
    text = str(token)
    return "=" if text == "==" else OPERATOR_WORDS.get(text.lower(), text)


def _example(field: str) -> str:
    """A value ``field`` can hold, for a hint."""
    if field in ADDRESS_FIELDS:
        return "10.0.0.5"
    if field in ENUM_VALUES:
        return ENUM_VALUES[field][0]
    return "22" if field in PORT_FIELDS else "100" if is_integer(field) else "'…'"


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
        raise Refused(values[0] if values else None, "an empty list matches nothing")
    return out
