"""The story of a record: each verdict from hand-written records built from the reference's
facts (shared/reference/flow-log-format.md §3.1, §3.2, §3.6, §3.9, §4, §5.5, §9), not from
what the code printed. Lines go through the real parser, as a file would."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from flowtui.parser import parse_bytes
from flowtui.query.conversation import conversation
from flowtui.query.story import VERDICTS, Coverage, Story, tell
from flowtui.store import RecordStore

#: v5 custom format with direction, flags and the original addresses (§2.4, §4).
V5 = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
      "start end action log-status tcp-flags flow-direction pkt-srcaddr pkt-dstaddr")
V8 = V5 + " reject-reason"
DEFAULT = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
           "bytes start end action log-status")
T0 = 1709647200  # 2024-03-05 14:00:00 UTC
ENI = "eni-0a1b2c3d4e5f60001"
NAT_ENI = "eni-0aaaaaaaaaaaa0nat"
ACCOUNT = "111122223333"


def v5(eni: str, src: str, dst: str, sport: int, dport: int, start: int, end: int,
       action: str, flags: int | str, direction: str, *, pkt: tuple[str, str] | None = None,
       packets: int = 3, size: int = 180, proto: int = 6) -> str:
    psrc, pdst = pkt or (src, dst)
    return (f"5 {ACCOUNT} {eni} {src} {dst} {sport} {dport} {proto} {packets} {size} "
            f"{start} {end} {action} OK {flags} {direction} {psrc} {pdst}")


def store_of(header: str, lines: Sequence[str], source: str = "local.log") -> RecordStore:
    data = (header + "\n" + "\n".join(lines) + "\n").encode()
    batches, parser = parse_bytes(data)
    assert parser.bad_count == 0, parser.bad_lines
    store = RecordStore()
    for batch in batches:
        store.append(batch, source)
    assert len(store) == len(lines)
    return store


def covered() -> Coverage:
    """The records around are all loaded (the verdicts below are about what the data says)."""
    return Coverage(((T0 - 7200, T0 + 7200),))


def story_of(store: RecordStore, index: int, coverage: Coverage | None = None) -> Story:
    story = tell(store, index, coverage=covered() if coverage is None else coverage)
    assert story.verdict in VERDICTS
    # The explanation cited "(§3.1)", "(§9)": sections of the developers' reference, which
    # no user has; a user reads the reasons in the words themselves.
    assert "§" not in story.explanation, story.explanation
    return story


# --- nacl-blocks-reply (§3.1: SGs are stateful, NACLs are not) -------------------------------

HTTPS_NACL = [
    # inbound request to 443 ACCEPTed, SYN (§3.6: the initiator's record carries 2)
    v5(ENI, "198.51.100.7", "10.0.1.5", 50123, 443, T0 + 5, T0 + 58, "ACCEPT", 2, "ingress"),
    # the server's reply (SYN-ACK, 18) REJECTed on the way out of the same ENI
    v5(ENI, "10.0.1.5", "198.51.100.7", 443, 50123, T0 + 5, T0 + 58, "REJECT", 18, "egress"),
]


@pytest.mark.parametrize("index", [0, 1], ids=["story-of-the-request", "story-of-the-reply"])
def test_accepted_request_with_its_reply_rejected_on_the_same_eni_is_a_nacl(index: int) -> None:
    story = story_of(store_of(V5, HTTPS_NACL), index)
    assert story.verdict == "nacl-blocks-reply"
    text = story.explanation
    assert "outbound rules" in text  # the rejected reply leaves the ENI (flow-direction egress)
    assert "50123" in text and "1024-65535" in text  # the client's ephemeral port, the range
    assert "stateful" in text and ENI in text and "action" in text
    assert [s.direction for s in story.reply] == ["reverse"]
    assert story.reply[0].same_interface


def test_nacl_direction_without_flow_direction_comes_from_the_enis_own_address() -> None:
    # The default format has no flow-direction; the ENI's private address is in every one of
    # its records (§4), so the REJECTed reply whose srcaddr is 10.0.1.5 leaves the ENI.
    lines = [
        f"2 {ACCOUNT} {ENI} 172.31.9.69 10.0.1.5 49761 443 6 20 4249 {T0} {T0 + 60} ACCEPT OK",
        f"2 {ACCOUNT} {ENI} 10.0.1.5 172.31.9.69 443 49761 6 20 4249 {T0} {T0 + 60} REJECT OK",
        f"2 {ACCOUNT} {ENI} 10.0.1.5 10.0.2.9 41000 5432 6 4 300 {T0} {T0 + 60} ACCEPT OK",
        f"2 {ACCOUNT} {ENI} 10.0.2.9 10.0.1.5 5432 41000 6 4 300 {T0} {T0 + 60} ACCEPT OK",
    ]
    story = story_of(store_of(DEFAULT, lines), 0)
    assert story.verdict == "nacl-blocks-reply"
    assert "outbound rules" in story.explanation and "49761" in story.explanation


# --- blocked-by-bpa (§3.9, §9: BPA records carry no bytes) -----------------------------------

def test_a_v8_record_with_reject_reason_bpa_is_block_public_access() -> None:
    line = (f"8 {ACCOUNT} {ENI} 203.0.113.50 10.0.1.5 44321 22 6 1 - {T0 + 3} {T0 + 3} "
            "REJECT OK 2 ingress 203.0.113.50 10.0.1.5 BPA")
    story = story_of(store_of(V8, [line]), 0)
    assert story.verdict == "blocked-by-bpa"
    assert "reject-reason BPA" in story.explanation
    assert "Block Public Access" in story.explanation


# --- rejected ------------------------------------------------------------------------------

def test_a_lone_reject_to_22_is_refused_by_a_security_group_or_nacl() -> None:
    line = v5(ENI, "203.0.113.9", "10.0.1.5", 51515, 22, T0 + 1, T0 + 40, "REJECT", 2, "ingress")
    story = story_of(store_of(V5, [line]), 0)
    assert story.verdict == "rejected"
    assert "security group" in story.explanation and "network ACL" in story.explanation
    assert "port 22" in story.explanation
    assert story.reply == []


# --- rejected-after-close (§3.1: packets after the close are REJECT too) ---------------------

def test_a_reject_after_the_connection_closed_with_fin_is_not_a_rule_problem() -> None:
    lines = [
        # a short connection: SYN+FIN on the client's record, SYN-ACK+FIN on the server's (§3.6)
        v5(ENI, "10.0.1.5", "10.0.2.9", 40100, 443, T0 + 2, T0 + 8, "ACCEPT", 3, "egress"),
        v5(ENI, "10.0.2.9", "10.0.1.5", 443, 40100, T0 + 2, T0 + 8, "ACCEPT", 19, "ingress"),
        # a straggler from the server after the close, REJECTed
        v5(ENI, "10.0.2.9", "10.0.1.5", 443, 40100, T0 + 31, T0 + 31, "REJECT", 0, "ingress",
           packets=1, size=40),
    ]
    story = story_of(store_of(V5, lines), 2)
    assert story.verdict == "rejected-after-close"
    assert "FIN" in story.explanation and "not a rule problem" in story.explanation


def test_a_reject_with_no_earlier_close_is_not_called_after_close() -> None:
    lines = [
        v5(ENI, "10.0.1.5", "10.0.2.9", 40100, 443, T0 + 2, T0 + 8, "ACCEPT", 2, "egress"),
        v5(ENI, "10.0.2.9", "10.0.1.5", 443, 40100, T0 + 2, T0 + 8, "REJECT", 18, "ingress"),
    ]
    assert story_of(store_of(V5, lines), 1).verdict == "nacl-blocks-reply"


# --- no-reply-seen and incomplete --------------------------------------------------------------

SYN_ALONE = v5(ENI, "10.0.1.5", "203.0.113.5", 40000, 443, T0 + 10, T0 + 50, "ACCEPT", 2,
               "egress")


def test_a_syn_with_no_reply_anywhere_in_loaded_windows_is_no_reply_seen() -> None:
    story = story_of(store_of(V5, [SYN_ALONE]), 0)
    assert story.verdict == "no-reply-seen"
    assert "SYN" in story.explanation and "tcp-flags 2" in story.explanation
    assert story.missing == []


def test_a_syn_with_no_reply_at_the_edge_of_the_loaded_data_is_incomplete() -> None:
    # Without saying what else is loaded, only the store's own time counts: the reply could
    # sit in the minutes after it, which are not loaded.
    story = tell(store_of(V5, [SYN_ALONE]), 0)
    assert story.verdict == "incomplete"
    assert story.missing and all("not loaded" in m for m in story.missing)


def test_skipdata_on_the_interface_in_the_window_makes_a_missing_reply_incomplete() -> None:
    skipped = f"5 {ACCOUNT} {ENI} - - - - - - - {T0 + 60} {T0 + 120} - SKIPDATA - - - -"
    story = story_of(store_of(V5, [SYN_ALONE, skipped]), 0)
    assert story.verdict == "incomplete"
    assert "SKIPDATA" in story.explanation and "log-status" in story.explanation


def test_a_nodata_window_on_the_interface_is_evidence_that_no_reply_came() -> None:
    """NODATA: "no network traffic to or from the network interface during the aggregation
    interval" (VPC user guide, flow log records, log-status; reference §3.2). Unlike SKIPDATA
    it hides nothing: no reply crossed the interface then, so the verdict is no-reply-seen,
    naming the NODATA interval, not incomplete."""
    nodata = f"5 {ACCOUNT} {ENI} - - - - - - - {T0 + 60} {T0 + 120} - NODATA - - - -"
    story = story_of(store_of(V5, [SYN_ALONE, nodata]), 0)
    assert story.verdict == "no-reply-seen"
    assert "log-status NODATA" in story.explanation and "no traffic at all" in story.explanation
    assert [w.status for w in story.timeline if w.status] == [("NODATA",)]


def test_the_story_of_a_nodata_row_itself_is_incomplete() -> None:
    # §5.5: the shape of a NODATA row in the default format
    line = "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA"
    story = tell(store_of(DEFAULT, [line]), 0)
    assert story.verdict == "incomplete"
    assert "NODATA" in story.explanation and story.reply == []


def test_nodata_on_another_interface_does_not_count() -> None:
    other = f"5 {ACCOUNT} eni-0ffffffffffff0009 - - - - - - - {T0 + 60} {T0 + 120} - NODATA - - - -"
    assert story_of(store_of(V5, [SYN_ALONE, other]), 0).verdict == "no-reply-seen"


# --- ok ----------------------------------------------------------------------------------------

def test_both_directions_accepted_is_ok_and_the_timeline_adds_them_up() -> None:
    lines = [
        v5(ENI, "10.0.1.5", "10.0.2.9", 40200, 5432, T0 + 1, T0 + 50, "ACCEPT", 2, "egress",
           packets=10, size=1000),
        v5(ENI, "10.0.2.9", "10.0.1.5", 5432, 40200, T0 + 1, T0 + 50, "ACCEPT", 18, "ingress",
           packets=8, size=6000),
        v5(ENI, "10.0.1.5", "10.0.2.9", 40200, 5432, T0 + 61, T0 + 100, "ACCEPT", 1, "egress",
           packets=5, size=500),
        v5(ENI, "10.0.2.9", "10.0.1.5", 5432, 40200, T0 + 61, T0 + 100, "ACCEPT", 1, "ingress",
           packets=4, size=300),
        # another conversation of the same ENI, to be left out
        v5(ENI, "10.0.1.5", "10.0.2.9", 40201, 5432, T0 + 1, T0 + 50, "ACCEPT", 2, "egress"),
    ]
    story = story_of(store_of(V5, lines), 0)
    assert story.verdict == "ok"
    assert "both ACCEPTed" in story.explanation
    assert [s.store_index for s in story.reply] == [1, 3]
    first, second = story.timeline
    assert (first.forward.records, first.forward.bytes, first.forward.flags) == (1, 1000, 2)
    assert (first.reverse.packets, first.reverse.flags, first.reverse.accept) == (8, 18, 1)
    assert (second.forward.bytes, second.reverse.bytes) == (500, 300)
    assert first.start == T0 and second.start == T0 + 60


# --- two interfaces: instance ENI and NAT gateway ENI (§4, AWS's NAT example) ------------------

NAT_PATH = [
    # on the instance's ENI, *addr and pkt-*addr agree
    v5(ENI, "10.0.1.5", "203.0.113.5", 40000, 443, T0 + 10, T0 + 50, "ACCEPT", 2, "egress"),
    # instance -> NAT ENI: dstaddr is the NAT's private IP, pkt-dstaddr the internet host
    v5(NAT_ENI, "10.0.1.5", "10.0.0.220", 40000, 443, T0 + 10, T0 + 50, "ACCEPT", 2, "ingress",
       pkt=("10.0.1.5", "203.0.113.5")),
    # NAT -> internet and back: both pairs agree, the source port is the NAT's own
    v5(NAT_ENI, "10.0.0.220", "203.0.113.5", 61000, 443, T0 + 10, T0 + 50, "ACCEPT", 2,
       "egress"),
    v5(NAT_ENI, "203.0.113.5", "10.0.0.220", 443, 61000, T0 + 10, T0 + 50, "ACCEPT", 18,
       "ingress"),
    # NAT -> instance (reply): srcaddr the NAT's private IP, pkt-srcaddr the internet host
    v5(NAT_ENI, "10.0.0.220", "10.0.1.5", 443, 40000, T0 + 10, T0 + 50, "ACCEPT", 18, "egress",
       pkt=("203.0.113.5", "10.0.1.5")),
]


def test_a_flow_through_a_nat_gateway_is_followed_by_its_original_addresses() -> None:
    story = story_of(store_of(V5, NAT_PATH), 0)
    assert [s.store_index for s in story.elsewhere] == [1]
    assert story.elsewhere[0].record["interface-id"] == NAT_ENI
    # the reply is seen only on the NAT ENI (the instance ENI's reply is not in this data)
    assert [(s.store_index, s.same_interface) for s in story.reply] == [(4, False)]
    assert story.verdict == "ok"
    assert NAT_ENI in story.explanation


def test_the_instance_enis_own_reply_comes_first() -> None:
    reply_at_instance = v5(ENI, "203.0.113.5", "10.0.1.5", 443, 40000, T0 + 10, T0 + 50,
                           "ACCEPT", 18, "ingress")
    story = story_of(store_of(V5, [*NAT_PATH, reply_at_instance]), 0)
    assert [(s.store_index, s.same_interface) for s in story.reply] == [(5, True), (4, False)]
    assert story.verdict == "ok"


def test_a_reply_outside_the_window_is_not_the_reply() -> None:
    late = v5(ENI, "203.0.113.5", "10.0.1.5", 443, 40000, T0 + 3600, T0 + 3650, "ACCEPT", 18,
              "ingress")
    story = story_of(store_of(V5, [SYN_ALONE, late]), 0)
    assert story.reply == [] and story.verdict == "no-reply-seen"
    assert len(story.timeline) == 2  # the timeline spans all the loaded time


# --- conversation ------------------------------------------------------------------------------

def test_the_conversation_of_two_addresses_groups_by_protocol_and_port_both_ways() -> None:
    lines = [
        *HTTPS_NACL,
        v5(ENI, "198.51.100.7", "10.0.1.5", 50124, 443, T0 + 70, T0 + 90, "ACCEPT", 2,
           "ingress", packets=2, size=120),
        v5(ENI, "198.51.100.7", "10.0.1.5", 40000, 22, T0 + 5, T0 + 9, "REJECT", 2, "ingress",
           packets=1, size=60),
        v5(ENI, "10.0.1.5", "10.9.9.9", 50000, 443, T0 + 5, T0 + 9, "ACCEPT", 2, "egress"),
    ]
    talk = conversation(store_of(V5, lines), "198.51.100.7", "10.0.1.5")
    rows = {(row.protocol, row.port): row for row in talk.rows}
    assert set(rows) == {(6, 443), (6, 22)}
    https = rows[(6, 443)]
    assert (https.a_to_b.records, https.a_to_b.packets, https.a_to_b.accept) == (2, 5, 2)
    assert (https.b_to_a.records, https.b_to_a.reject, https.b_to_a.bytes) == (1, 1, 180)
    assert (https.first, https.last) == (T0 + 5, T0 + 90)
    assert rows[(6, 22)].a_to_b.reject == 1 and rows[(6, 22)].b_to_a.records == 0


@pytest.mark.parametrize("a, b", [
    ("2001:DB8::7", "2001:db8:0:1::5"),                 # upper case, as users paste it
    ("2001:0db8:0000:0000:0000:0000:0000:0007", "2001:db8:0:1:0:0:0:5"),  # written in full
])
def test_a_conversation_of_ipv6_addresses_holds_any_spelling(a: str, b: str) -> None:
    """``story --conversation 2001:DB8::7 …`` said "0 group(s), 0 record(s)" of records
    logged as 2001:db8::7: addresses compared as text. An address is the same however it is
    spelled (RFC 5952 names one form for output, and ``host``/``srcaddr =`` already compare
    as addresses): the conversation finds them, both ways."""
    lines = [v5(ENI, "2001:db8::7", "2001:db8:0:1::5", 50123, 443, T0 + 5, T0 + 30, "ACCEPT",
                2, "ingress"),
             v5(ENI, "2001:db8:0:1::5", "2001:db8::7", 443, 50123, T0 + 5, T0 + 30, "ACCEPT",
                18, "egress")]
    talk = conversation(store_of(V5, lines), a, b)
    assert [(row.a_to_b.records, row.b_to_a.records) for row in talk.rows] == [(1, 1)]


def test_the_text_timeline_counts_status_rows_instead_of_printing_a_list() -> None:
    """Several NODATA/SKIPDATA rows of the interface in one minute (one per aggregation
    interval and ENI, VPC user guide, flow log records, log-status; reference §3.2) are shown
    as counts, ``NODATA×2 SKIPDATA×1``, not as a Python-like list ``[NODATA, NODATA, …]``."""
    import io

    from flowtui.cli.story import write_story

    rows = [f"5 {ACCOUNT} {ENI} - - - - - - - {T0 + 60} {T0 + 110} - NODATA - - - -",
            f"5 {ACCOUNT} {ENI} - - - - - - - {T0 + 70} {T0 + 115} - NODATA - - - -",
            f"5 {ACCOUNT} {ENI} - - - - - - - {T0 + 80} {T0 + 118} - SKIPDATA - - - -"]
    story = story_of(store_of(V5, [SYN_ALONE, *rows]), 0)
    out = io.StringIO()
    write_story(out, story)
    timeline = out.getvalue().split("timeline (")[1].split("missing (")[0]
    assert "NODATA×2 SKIPDATA×1" in timeline, timeline
    assert "[" not in timeline and "'" not in timeline, timeline


# --- where a record was recorded, when its format has no interface-id ----------------------

TGW = ("version resource-type account-id tgw-id tgw-attachment-id srcaddr dstaddr srcport "
       "dstport protocol packets bytes start end log-status packets-lost-no-route "
       "packets-lost-blackhole tcp-flags flow-direction")


def tgw(attachment: str, rest: str) -> str:
    return f"6 TransitGateway {ACCOUNT} tgw-0a1b {attachment} {rest}"


def test_a_transit_gateway_record_is_told_at_its_attachment() -> None:
    """Transit Gateway records have no interface-id (§7) and no action. Compared by
    interface-id (None == None), every attachment was "R's interface": the reply that left
    by another attachment counted as a reply on R's, and another attachment's NODATA row
    showed in R's timeline as if nothing had crossed R's; the verdict said "action '-'"."""
    store = store_of(TGW, [
        tgw("tgw-attach-a", f"10.11.2.171 172.20.8.92 48517 443 6 2 120 {T0} {T0 + 10} OK "
                            "2 0 2 ingress"),
        tgw("tgw-attach-b", f"- - - - - - - {T0} {T0 + 60} NODATA - - - -"),
        tgw("tgw-attach-c", f"172.20.8.92 10.11.2.171 443 48517 6 2 120 {T0} {T0 + 10} OK "
                            "0 0 18 egress"),
        tgw("tgw-attach-a", f"- - - - - - - {T0 + 60} {T0 + 120} NODATA - - - -"),
    ])
    story = story_of(store, 0)
    assert [(s.store_index, s.same_interface) for s in story.reply] == [(2, False)]
    notes = [note for window in story.timeline for note in window.status]
    assert notes == ["NODATA"]  # attachment a's own, not b's (a's NODATA ends at T0 + 120)
    assert story.timeline[-1].start == T0 + 120
    assert "action '-'" not in story.explanation
    assert "Transit Gateway flow log records no action" in story.explanation
    assert "2 no-route" in story.explanation
    # the conversation's "ifaces": the flow was seen at two attachments (it said 0)
    talk = conversation(store, "10.11.2.171", "172.20.8.92")
    assert [row.interfaces for row in talk.rows] == [2]


def test_a_format_without_interface_id_is_said_so_not_named_none() -> None:
    """A custom format may leave interface-id out (reference §5: any subset of fields). The
    advice read "the subnet's network ACL of interface-id None"; and such records are not
    known to be one interface's, so the request is not taken for the reply's partner there."""
    fields = ("version srcaddr dstaddr srcport dstport protocol packets bytes start end "
              "action log-status")
    store = store_of(fields, [
        f"2 198.51.100.7 10.0.1.5 50123 443 6 3 180 {T0} {T0 + 10} ACCEPT OK",
        f"2 10.0.1.5 198.51.100.7 443 50123 6 3 180 {T0} {T0 + 10} REJECT OK",
    ])
    story = story_of(store, 1)
    assert "None" not in story.explanation
    assert "this flow log's format logs no interface-id" in story.explanation
    assert [s.same_interface for s in story.reply] == [False]


def test_the_timeline_names_where_it_was_recorded_with_its_kind() -> None:
    """The timeline's title names the place the record was recorded and what it is: an
    interface by its interface-id, a Transit Gateway attachment by its tgw-attachment-id
    (reference §7: TGW records have no interface-id). The app's story screen says the same
    words (tests/test_ui_story.py); a format with neither says so instead of "-"."""
    import io

    from flowtui.cli.story import write_story
    from flowtui.query.flow import recorder_label

    def timeline_title(story: Any) -> str:
        out = io.StringIO()
        write_story(out, story)
        return out.getvalue().split("timeline (")[1].split(", per minute")[0]

    eni = story_of(store_of(V5, [SYN_ALONE]), 0)
    assert timeline_title(eni) == f"interface {ENI}" == recorder_label(eni.record)
    store = store_of(TGW, [tgw("tgw-attach-a", f"10.11.2.171 172.20.8.92 48517 443 6 2 120 "
                                               f"{T0} {T0 + 10} OK 2 0 2 ingress")])
    assert timeline_title(story_of(store, 0)) == "tgw-attachment-id tgw-attach-a"
    bare = store_of("version srcaddr dstaddr srcport dstport protocol packets bytes start end "
                    "action log-status",
                    [f"2 198.51.100.7 10.0.1.5 50123 443 6 3 180 {T0} {T0 + 10} ACCEPT OK"])
    assert timeline_title(story_of(bare, 0)) == "no recorder named"
