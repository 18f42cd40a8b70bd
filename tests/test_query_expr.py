"""The filter language as a user types it: what each form means, and the one-line errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flowtui.query.expr import (
    And,
    Compare,
    Const,
    FilterError,
    FlagsAll,
    InNet,
    InSet,
    Match,
    Not,
    Or,
    parse,
)

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def p(text: str, columns: tuple[str, ...] = ()) -> object:
    return parse(text, columns, now=NOW)


def either(field_a: str, field_b: str, op: str, value: object) -> Or:
    return Or((Compare(field_a, op, value), Compare(field_b, op, value)))


def test_empty_filter_keeps_everything() -> None:
    assert p("") == Const(True)
    assert p("   ") == Const(True)


def test_the_question_rejected_on_port_22() -> None:
    assert p("reject and port 22") == And((Compare("action", "=", "REJECT"),
                                           either("srcport", "dstport", "=", 22)))
    # two terms side by side mean and; keywords are case-insensitive
    assert p("REJECT Port 22") == p("reject && port 22")


def test_precedence_not_over_and_over_or() -> None:
    assert p("tcp or udp and not reject") == Or((
        Compare("protocol", "=", 6),
        And((Compare("protocol", "=", 17), Not(Compare("action", "=", "REJECT")))),
    ))
    assert p("(tcp or udp) and !reject") == And((
        Or((Compare("protocol", "=", 6), Compare("protocol", "=", 17))),
        Not(Compare("action", "=", "REJECT")),
    ))


def test_field_names_in_aws_spelling_or_with_underscores() -> None:
    assert p("log-status = nodata") == p("log_status == NODATA") == Compare(
        "log-status", "=", "NODATA")
    assert p("nodata") == Compare("log-status", "=", "NODATA")


def test_hosts_nets_and_qualifiers() -> None:
    assert p("host 10.0.1.10") == either("srcaddr", "dstaddr", "=", "10.0.1.10")
    assert p("dst host 10.0.1.10") == Compare("dstaddr", "=", "10.0.1.10")
    assert p("src net 10.0.0.0/8") == InNet("srcaddr", ("10.0.0.0/8",))
    assert p("pkt-dst net 2001:db8::/32") == InNet("pkt-dstaddr", ("2001:db8::/32",))
    assert p("srcaddr in 10.1.2.3/16") == InNet("srcaddr", ("10.1.0.0/16",))
    # IPv6 written in any form compares as an address (the data may spell it in full too)
    assert p("srcaddr = 2001:DB8:0:0::1") == InNet("srcaddr", ("2001:db8::1/128",))


def test_ports_by_number_range_and_service() -> None:
    assert p("port ssh") == either("srcport", "dstport", "=", 22)
    assert p("dst port 1000-2000") == And((Compare("dstport", ">=", 1000),
                                           Compare("dstport", "<=", 2000)))
    assert p("src port > 1024") == Compare("srcport", ">", 1024)
    assert p("dstport in (22, https)") == InSet("dstport", (22, 443))


def test_protocols_flags_and_sizes() -> None:
    assert p("proto tcp") == p("tcp") == p("protocol = 6") == Compare("protocol", "=", 6)
    assert p("proto gre") == Compare("protocol", "=", 47)
    assert p("proto icmpv6") == p("icmpv6") == p("proto ipv6-icmp") == Compare("protocol", "=", 58)
    assert p("flags S") == FlagsAll("tcp-flags", 2)
    assert p("flags SA") == p("flags S,A") == p("flags syn+ack") == FlagsAll("tcp-flags", 18)
    assert p("bytes > 10k") == Compare("bytes", ">", 10_000)
    assert p("bytes >= 1.5M") == Compare("bytes", ">=", 1_500_000)
    assert p("bytes < 64KiB") == Compare("bytes", "<", 65_536)


def test_times_iso_epoch_age_and_during() -> None:
    assert p("start >= 2026-11-30T14:00:00Z") == Compare("start", ">=", 1796047200)
    assert p("start >= 1796047200") == Compare("start", ">=", 1796047200)
    assert p("end > -2h") == Compare("end", ">", 1796047200 - 3600)
    # the record's [start, end] overlaps the interval; a clock time takes the first one's day
    assert p("during 2026-11-30T14:00..14:30") == And((
        Compare("start", "<=", 1796047200 + 1800), Compare("end", ">=", 1796047200)))


def test_strings_globs_and_regular_expressions() -> None:
    assert p("interface-id = eni-0abc*") == Match("interface-id", "eni-0abc*", "glob")
    assert p("srcaddr ~ '^10\\.0\\.'") == Match("srcaddr", r"^10\.0\.", "regex")
    assert p("srcaddr !~ '^10\\.'") == Not(Match("srcaddr", r"^10\.", "regex"))
    assert p("account-id = '012345678901'") == Compare("account-id", "=", "012345678901")


def test_a_header_column_outside_the_catalogue_can_be_filtered() -> None:
    assert p("my-col = x", ("my-col",)) == Compare("my-col", "=", "x")


@pytest.mark.parametrize(("text", "position", "words"), [
    ("dstprot = 22", 0, "did you mean 'dstport'"),
    ("reject and dstport = ", 21, "ends too early"),
    ("dstport 22", 8, "expected an operator"),
    ("port ssh2", 5, "unknown service"),
    ("bytes > lots", 8, "bytes is a number"),
    ("srcaddr in 10.0.0.300/8", 11, "not an address or CIDR"),
    ("ssh", 0, "did you mean 'port ssh'"),
    ("dstport in (22", 14, "ends too early"),
    ("srcaddr ~ '('", 10, "not a regular expression"),
    ("flags X", 6, "unknown TCP flag"),
    ("start > yesterday", 8, "not a time"),
])
def test_a_bad_filter_is_one_line_with_its_place_marked(text: str, position: int,
                                                        words: str) -> None:
    with pytest.raises(FilterError) as caught:
        p(text)
    error = caught.value
    assert error.position == position
    message = str(error)
    assert "\n" not in message
    assert words in message
    assert f"{text[:position]}‸{text[position:]}" in message


def test_the_shipped_grammar_tables_are_those_of_filter_lark_and_this_lark() -> None:
    """Every ``--where`` loads the parser's tables from grammar_tables.py instead of building
    them (~55 ms a start): a change to filter.lark or a new lark without new tables would
    quietly build them again. Run scripts/make_grammar_tables.py."""
    import hashlib

    import lark

    from flowtui.query import grammar_tables
    from flowtui.query.expr import GRAMMAR

    assert grammar_tables.LARK_VERSION == lark.__version__
    assert grammar_tables.GRAMMAR_SHA256 == \
        hashlib.sha256(GRAMMAR.read_text(encoding="utf-8").encode()).hexdigest()


@pytest.mark.parametrize("text", [
    "reject and dstport = 22", "port 22 or port 3389", "src net 10.0.0.0/8 and bytes > 1k",
    "not (tcp and dstport in (22, 80, 443))", "interface-id = eni-1*", "srcaddr ~ '^172'",
    "host 172.31.16.139 and not dst port 22", "tcp-flags & syn", "action = ACCEPT or ()",
    "start > 2024-03-05T14:00 and end < -2h", "during 14:00..14:10", "log-status = NODATA",
    "bytes >= 1.5M", '"quoted value" = x', "dstport in (22", "and", "port", "reject and",
    "srcaddr = = 1", "port 22 22", "(((reject)))", "not not not tcp", "x ~ 'a(b'",
    "srcaddr.name = web", "dst port 22 or src port 22 and udp", "packets > 5 and",
])
def test_the_shipped_tables_read_every_filter_as_tables_built_now(text: str) -> None:
    """The tables loaded from grammar_tables.py and tables built from filter.lark now give
    the same tree for what parses and the same error (kind, place, what was expected) for
    what does not: the one-line messages are made from those."""
    from lark import Lark, UnexpectedInput

    from flowtui.query.expr import GRAMMAR, _grammar

    built = Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", maybe_placeholders=True)

    def outcome(parser: Lark) -> object:
        try:
            return parser.parse(text)
        except UnexpectedInput as exc:
            return (type(exc), exc.pos_in_stream, sorted(getattr(exc, "expected", ()) or ()))

    assert outcome(_grammar()) == outcome(built)
