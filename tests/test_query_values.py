"""Filters read as tcpdump/nfdump users read them, and no silent empty answers (issue 18 item 2
and its doubtful filter items): a value its field cannot hold is a one-line error with a hint;
``ip``/``ip6`` alone mean IPv4/IPv6 records; addresses compare as addresses. Each answer is
checked on records in Arrow and in DuckDB, against rows picked here by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from flowtui.parser import parse_bytes
from flowtui.query.arrow import compile_arrow
from flowtui.query.expr import And, Compare, FilterError, InNet, InSet, Or, parse
from flowtui.query.sql import arrow_for_sql, predicate_sql
from flowtui.store import RecordStore

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
HEADER = "srcaddr dstaddr srcport dstport protocol action log-status flow-direction"
ROWS = [
    "10.0.0.5 10.0.1.9 40000 22 6 ACCEPT OK ingress",                       # 0 IPv4 ssh
    "2001:db8::5 2001:db8::9 40001 22 6 ACCEPT OK ingress",                 # 1 IPv6 ssh
    "10.0.0.5 172.16.4.1 40002 53 17 ACCEPT OK egress",                     # 2 IPv4 dns
    "2001:0db8:0000:0000:0000:0000:0000:0001 2001:db8::5 3389 50000 6 REJECT OK egress",
    "10.0.1.9 10.0.0.5 22 40000 6 ACCEPT OK egress",                        # 4 ssh reply
    "10.0.0.5 192.168.1.20 40003 20 6 REJECT OK egress",                    # 5 ftp-data
    "- - - - - - NODATA -",                                                  # 6
]


def p(text: str) -> object:
    return parse(text, now=NOW)


def store_of(header: str, lines: list[str]) -> RecordStore:
    """The records of a flow log with ``header`` and ``lines``."""
    records = RecordStore()
    for batch in parse_bytes(("\n".join([header, *lines]) + "\n").encode())[0]:
        records.append(batch)
    return records


@pytest.fixture(scope="module")
def store() -> RecordStore:
    return store_of(HEADER, ROWS)


def arrow_rows(store: RecordStore, text: str) -> list[int]:
    predicate = compile_arrow(parse(text, store.columns, now=NOW))
    found: list[int] = []
    offset = 0
    for batch in store.snapshot().batches:
        found += [offset + i for i, keep in enumerate(predicate.mask(batch).to_pylist())
                  if keep]
        offset += batch.num_rows
    return found


def duck_rows(store: RecordStore, text: str) -> list[int]:
    import pyarrow as pa

    table = arrow_for_sql(store.snapshot().batches)
    table = table.append_column("row_", pa.array(range(table.num_rows), pa.int64()))
    con = duckdb.connect()
    con.register("flows", table)
    sql = predicate_sql(parse(text, store.columns, now=NOW), store.columns, "duckdb")
    return [r for (r,) in con.execute(f"SELECT row_ FROM flows WHERE {sql} ORDER BY 1")
            .fetchall()]


def rows(store: RecordStore, text: str) -> list[int]:
    arrow = arrow_rows(store, text)
    assert duck_rows(store, text) == arrow, text
    return arrow


# ------------------------------------------------------------ ip, ip6, host, net (pcap)

def test_ip_and_ip6_alone_mean_the_records_of_that_version(store: RecordStore) -> None:
    """pcap-filter(7): "ip" alone is "ether proto ip" (IPv4 packets), "ip6" IPv6 ones; so
    ``ip and port 22`` is the IPv4 SSH traffic, not host "and" (which matched nothing)."""
    assert rows(store, "ip and port 22") == [0, 4]
    assert rows(store, "ip6 and port 22") == [1]
    assert rows(store, "ip6") == [1, 3]
    assert rows(store, "ip proto tcp") == [0, 4, 5]
    assert rows(store, "ip or tcp") == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize(("text", "words"), [
    ("host and port 22", "host needs an address"),
    ("host", "host needs an address"),
    ("dst host tcp", "host needs an address"),
    ("net or tcp", "net needs a network"),
    ("port and tcp", "port needs a port"),
    ("host 10.0.0.300", "an IPv4 address is four numbers 0-255"),
    ("src host web01", "host takes an IP address, not 'web01'"),
    ("host 10.0.0.*", "a glob needs a field: srcaddr = 10.0.0.*"),
    ("host in [10.0.0.5 nope]", "not 'nope'"),
])
def test_host_ip_and_net_take_an_address_or_fail_with_a_hint(text: str, words: str) -> None:
    with pytest.raises(FilterError) as caught:
        p(text)
    assert words in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("text", ["dstaddr < 2.0.0.0", "srcaddr >= 10.0.0.0",
                                  "pkt-dstaddr > 2001:db8::1", "dstaddr <= 10.0.1.9"])
def test_addresses_have_no_order_a_range_is_a_network(store: RecordStore, text: str) -> None:
    """Addresses are text in the store and in SQL, so ``<``/``>`` ordered them as strings:
    ``dstaddr < 2.0.0.0`` kept 10.0.1.9, 172.16.4.1 and 192.168.1.20 ('1' < '2'), a silent
    wrong answer. A range of addresses is a network (pcap's ``net``, ``in 10.0.0.0/16``)."""
    with pytest.raises(FilterError) as caught:
        p(text)
    message = str(caught.value)
    assert "compares with = or != only" in message and " in 10.0.0.0/16" in message
    assert "\n" not in message
    assert rows(store, "dstaddr in 0.0.0.0/7") == []  # what < 2.0.0.0 means: nothing here


@pytest.mark.parametrize(("text", "words"), [
    ("srcaddr = reject", "srcaddr takes an IP address, not 'reject'"),
    ("dstaddr != tcp", "damaged text: dstaddr ~ '^tcp$'"),
    ("dstaddr in (10.0.0.5, accept)", "not 'accept'"),
    ("pkt-srcaddr = 010.0.0.5", "an IPv4 address is four numbers 0-255"),
    ("srcaddr = -", "not srcaddr ~ '' keeps the records without one"),
])
def test_an_address_field_takes_an_address(store: RecordStore, text: str, words: str) -> None:
    """AWS writes an address or '-' in srcaddr/dstaddr/pkt-*addr: a word there (a keyword
    typed where an address belongs) matched nothing by construction, an empty answer instead
    of an error. Damaged text in such a column is still found with ``~``."""
    with pytest.raises(FilterError) as caught:
        p(text)
    assert words in str(caught.value) and "\n" not in str(caught.value)
    assert rows(store, "not srcaddr ~ ''") == [6]


def test_net_takes_pcaps_short_networks(store: RecordStore) -> None:
    """pcap-filter(7) "net net": a network number of 1-3 octets is a /8, /16 or /24, and
    ``net 172.16/16`` is 172.16.0.0/16."""
    assert p("net 172.16/16") == p("net 172.16.0.0/16")
    assert p("net 172.16") == p("net 172.16.0.0/16")
    assert p("dst net 192.168.1") == InNet("dstaddr", ("192.168.1.0/24",))
    assert p("src net 10") == InNet("srcaddr", ("10.0.0.0/8",))
    assert rows(store, "net 172.16/12") == [2]


def test_ipv6_compares_as_an_address_in_every_engine(store: RecordStore) -> None:
    """Flow logs write IPv6 addresses as text (VPC user guide, flow log records: srcaddr /
    dstaddr "IPv4 or IPv6 address"); the same address may be spelled in full, so
    ``host 2001:db8::1`` must find ``2001:0db8:0000:…:0001`` in Arrow and in SQL alike."""
    assert rows(store, "host 2001:db8::1") == [3]
    assert rows(store, "src host 2001:DB8::0:1") == [3]
    assert rows(store, "srcaddr in (2001:db8::1, 10.0.1.9)") == [3, 4]
    assert rows(store, "srcaddr != 2001:db8::1") == [0, 1, 2, 4, 5]


# -------------------------------------------------------- values that cannot occur

@pytest.mark.parametrize(("text", "words"), [
    ("port 99999", "a port is 0-65535"),
    ("dstport > 70000", "a port is 0-65535"),
    ("dst port 1000-70000", "a port is 0-65535"),
    ("port 2000-1000", "ends before it starts"),
    ("proto 256", "a protocol number is 0-255"),
    ("protocol = 300", "a protocol number is 0-255"),
    ("flags 256", "tcp-flags is a bitmask of 0-255"),
    ("traffic-path = 9", "traffic-path is 1-8"),
    ("traffic-path = 0", "traffic-path is 1-8"),
    ("action = rejected", "action is ACCEPT or REJECT"),
    ("action in (accept, denied)", "action is ACCEPT or REJECT"),
    ("log-status != ERROR", "log-status is OK or NODATA or SKIPDATA"),
    ("flow-direction = in", "flow-direction is ingress or egress"),
    ("type = ipv5", "type is IPv4 or IPv6 or EFA"),
    ("bytes > 1MB", "1M = 1,000,000; 1MiB = 1,048,576"),
    ("bytes > 2gb", "2G = 2,000,000,000; 2GiB = 2,147,483,648"),
    ("bytes < 64kb", "64k = 64,000; 64KiB = 65,536"),
    ("bytes > 10000000T", "bytes is 0-9223372036854775807"),
    ("packets < 0", "packets < 0 cannot match: packets is 0-"),
    ("dstport > 65535", "dstport > 65535 cannot match: a port is 0-65535"),
    ("port < 0", "cannot match: a port is 0-65535"),
    ("traffic-path < 1", "cannot match: traffic-path is 1-8"),
])
def test_a_value_that_cannot_occur_is_an_error_with_a_hint(text: str, words: str) -> None:
    """The documented values (VPC user guide, flow log records, available fields): action
    ACCEPT | REJECT; log-status OK | NODATA | SKIPDATA; flow-direction ingress | egress;
    type IPv4 | IPv6 | EFA; traffic-path 1-8; srcport/dstport are TCP/UDP ports (16 bits,
    RFC 793/768); protocol is the IANA protocol number (8 bits); bytes a 64-bit counter
    (INT_64 in AWS's Parquet schema). A value outside them matches nothing by construction,
    and so does ``<`` the lowest or ``>`` the highest (``packets < 0`` was an empty answer)."""
    with pytest.raises(FilterError) as caught:
        p(text)
    assert words in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("text", ["tcp and udp", "accept and reject", "tcp udp",
                                  "reject and port 22 and accept",
                                  "dstport = 22 and dstport = 80",
                                  "src host 10.0.0.5 and src host 10.0.1.9"])
def test_and_of_two_values_of_one_field_is_refused(store: RecordStore, text: str) -> None:
    """A record holds one protocol, one action, one port of each side: ``tcp and udp`` (or
    nfdump's implicit and, ``tcp udp``) matched nothing by construction, "no record matches"
    where the user most likely meant ``or``."""
    with pytest.raises(FilterError) as caught:
        p(text)
    assert "in one record" in str(caught.value) and "use or" in str(caught.value)
    assert rows(store, text.replace(" and ", " or ").replace("tcp udp", "tcp or udp"))
    assert rows(store, "port 22 and port 40000") == [0, 4]  # either side: can match
    assert rows(store, "tcp and tcp") == [0, 1, 3, 4, 5]


def test_values_that_can_occur_still_read(store: RecordStore) -> None:
    assert p("action = accept") == Compare("action", "=", "ACCEPT")
    assert p("traffic-path = 8") == Compare("traffic-path", "=", 8)
    assert p("reject-reason = XYZ") == Compare("reject-reason", "=", "XYZ")  # an open set
    assert p("port 65535") == p("srcport = 65535 or dstport = 65535")
    assert p("bytes > 1MiB") == Compare("bytes", ">", 1 << 20)
    assert p("dstport >= 65535") == Compare("dstport", ">=", 65535)
    assert p("packets <= 0") == Compare("packets", "<=", 0)
    assert rows(store, "flow-direction = EGRESS") == [2, 3, 4, 5]


# -------------------------------------------------------------------- ports (pcap/nfdump)

def test_port_not_equal_is_refused_with_the_not_hint() -> None:
    """pcap's ``port 22`` means either port; "either port differs from 22" would keep SSH
    traffic (40000 → 22 has srcport 40000 != 22), so ``port != 22`` is refused, pointing at
    ``not port 22``; one side (``dst port != 22``) is a plain comparison."""
    for text in ("port != 22", "host != 10.0.0.5", "ip != 10.0.0.5"):
        with pytest.raises(FilterError) as caught:
            p(text)
        assert f"not {text.split()[0]} " in str(caught.value)
    assert p("dst port != 22") == Compare("dstport", "!=", 22)


def test_service_names_as_pcap_and_iana_spell_them(store: RecordStore) -> None:
    """IANA's service name registry (and /etc/services, which pcap reads): domain 53,
    ftp-data 20, ms-wbt-server 3389. A name holding '-' is a name, not a range."""
    assert p("port domain") == p("port 53")
    assert p("dst port ftp-data") == Compare("dstport", "=", 20)
    assert p("port ms-wbt-server") == p("port 3389")
    assert p("port 1000-2000") == Or(tuple(And((Compare(f, ">=", 1000), Compare(f, "<=", 2000)))
                                          for f in ("srcport", "dstport")))
    assert rows(store, "port ftp-data") == [5]
    assert rows(store, "udp and port domain") == [2]


def test_nfdumps_port_lists_and_icmp6() -> None:
    """nfdump(1) filter syntax: ``port in [ 22 3389 ]``; pcap's ``icmp6`` is IPv6-ICMP (58)."""
    either = Or((InSet("srcport", (22, 3389)), InSet("dstport", (22, 3389))))
    assert p("port in [22 3389]") == p("port in [22, 3389]") == p("port in (22, 3389)") \
        == either
    assert p("dst port in [ssh domain]") == InSet("dstport", (22, 53))
    assert p("dstport in [22 80]") == InSet("dstport", (22, 80))
    assert p("icmp6") == p("icmpv6") == Compare("protocol", "=", 58)


def test_precedence_is_nfdumps_not_over_and_over_or() -> None:
    """nfdump's filter grammar: ``not`` binds tightest, then ``and``, then ``or``;
    (tcpdump gives and/or equal precedence, left to right: "a or b and c" is "(a or b) and
    c" there). The README says which one flowtui follows."""
    assert p("tcp or udp and port 53") == Or((Compare("protocol", "=", 6), And((
        Compare("protocol", "=", 17), p("port 53")))))
