"""What is new under a tailed prefix: the folders to list, one cursor per flow-log id.

Apart from the engine (``tail.py``), which polls, loads, pauses and delivers: this is the
listing side of a poll, and the only state it keeps is where each flow log was last seen.
Folders are chosen from the clock (a day or hour folder is listed while its period overlaps
``[now - late_window, now + early_window]``); each folder is walked in key order, jumping for
every flow-log id it knows straight past the newest key seen (a sweep jumps to ``newest -
lookback`` instead, and also looks at the folder's start for new flow logs). Nothing is
committed from a listing cut by an error: the next poll finds the same keys again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from flowtui import layout
from flowtui.s3.listing import Entry, Lister, PrefixPager
from flowtui.s3.select import region_roots

if TYPE_CHECKING:
    from typing import Unpack

    from types_boto3_s3.type_defs import ListObjectsV2OutputTypeDef, ListObjectsV2RequestTypeDef

#: Keys asked for by the first request in a folder: it usually only shows which flow log
#: comes first. Every key in a response is XML that botocore parses in Python: an idle poll
#: asks for little more than it expects to see.
_PROBE_KEYS = 1
_MAX_KEYS = 1000


# --- events: in flowtui.events (PollDone, PollFailed, Paused, Resumed, TailStopped) ----------


# --- state ----------------------------------------------------------------------------------


@dataclass
class _Group:
    """One flow-log id in one folder: the newest stamp seen and the keys seen since
    ``newest - lookback`` (older keys sort before the cursor and are never listed again)."""

    prefix: str  # folder + "<account>_vpcflowlogs_<region>_<flow-log-id>_"
    flow_log_id: str
    newest: datetime | None = None
    last: str | None = None  # the greatest key seen: newest stamp, greatest hash
    first: str | None = None  # the smallest key ever seen (seen forgets; this does not)
    seen: dict[str, datetime] = field(default_factory=dict)

    def start_after(self, lookback: timedelta, sweep: bool) -> str | None:
        if self.newest is None:
            return None
        if not sweep:
            return self.last
        return self.prefix + f"{self.newest - lookback:%Y%m%dT%H%MZ}"

    def add(self, key: str, stamp: datetime, lookback: timedelta) -> None:
        self.seen[key] = stamp
        if self.last is None or key > self.last:
            self.last = key
        if self.first is None or key < self.first:
            self.first = key
        if self.newest is None or stamp > self.newest:
            self.newest = stamp
            bound = stamp - lookback
            self.seen = {k: t for k, t in self.seen.items() if t >= bound}


@dataclass
class _Folder:
    groups: dict[str, _Group] = field(default_factory=dict)


@dataclass(frozen=True)
class Found:
    entry: Entry
    group: str
    flow_log_id: str
    stamp: datetime


@dataclass(frozen=True)
class _Watch:
    folder: str  # ends with "/" (or "" for a bucket root)
    filter: str  # keys must start with this (the tailed prefix, when it is inside folder)
    hours: str  # "none" | "range" | "latest": which hour subfolders to follow


def _name_facts(key: str) -> tuple[str, str, datetime] | None:
    """(group prefix, flow-log id, stamp) for a flow-log key, from its file name."""
    name = key.rpartition("/")[2]
    parts = layout.parse_file_name(name)
    if parts is None:
        return None
    try:
        stamp = datetime.strptime(parts["stamp"], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    group = (key[: len(key) - len(name)]
             + f"{parts['account']}_vpcflowlogs_{parts['region']}_{parts['flow_log_id']}_")
    return group, parts["flow_log_id"], stamp


@dataclass
class ScanResult:
    """One poll's listing: new keys (``found``), keys of the starting point (``baseline``),
    keys the lookback passed by (``missed``), the folders listed, and one line per error."""

    found: list[Found] = field(default_factory=list)
    baseline: list[Found] = field(default_factory=list)
    missed: list[Found] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: int = 0


class PrefixScan:
    """The cursors of one tailed prefix and the listing that moves them.

    ``describe`` turns an exception met while listing a key into one line; ``stop`` is the
    engine's, checked between requests. The first complete listing is the starting point
    (``baseline_open`` until then)."""

    def __init__(self, client: Lister, bucket: str, prefix: str, *, lookback: timedelta,
                 late_window: timedelta, early_window: timedelta, rediscover_every: float,
                 stop: threading.Event, describe: Callable[[BaseException, str], str]) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.lookback = lookback
        self.late_window = late_window
        self.early_window = early_window
        self.rediscover_every = rediscover_every
        self._stop = stop
        self._describe = describe
        self._folders: dict[str, _Folder] = {}
        self._roots: list[layout.RegionRoot] | None = None
        self._roots_at = 0.0
        self.baseline_open = True  # until a poll completes without errors
        self.newest: tuple[datetime, str] | None = None
        self.newest_delivered: datetime | None = None  # the newest file's LastModified
        self._missed: set[str] = set()  # keys said to be missed, said once

    def scan(self, now: datetime, sweep: bool) -> ScanResult:
        """List every folder this poll watches; on success, forget folders out of range and
        close the starting point."""
        out = ScanResult()
        requests = [0]
        try:
            watches = self._plan(now, requests)
        except Exception as exc:  # one line, whatever went wrong
            out.errors.append(self._describe(exc, self.prefix))
            watches = []
        for watch in watches:
            if self._stop.is_set():
                break
            self._follow(watch, now, requests, out, sweep)
        if not out.errors:
            self.baseline_open = False
            self._missed.update(f.entry.key for f in out.missed)  # said by this poll
            keep = set(out.listed)
            for folder in [f for f in self._folders if f not in keep]:
                del self._folders[folder]  # out of range: its cursors are not needed again
                self._missed = {k for k in self._missed if not k.startswith(folder)}
        else:
            out.missed.clear()  # a failed poll says nothing of them: the next one will
        out.requests = requests[0]
        return out

    def newest_by_group(self) -> dict[str, datetime]:
        """Each flow log's (per folder) newest stamp seen so far: a new file stamped before
        its own flow log's newest was delivered late or out of order."""
        return {g.prefix: g.newest for f in self._folders.values()
                for g in f.groups.values() if g.newest is not None}

    @property
    def flow_logs(self) -> int:
        """The flow logs seen in the folders being followed."""
        return len({g.flow_log_id for f in self._folders.values() for g in f.groups.values()})

    def _plan(self, now: datetime, requests: list[int]) -> list[_Watch]:
        """The folders to list this poll, from the prefix and the clock."""
        roots = self._region_roots(requests)
        if not roots:  # not a flow-log tree: list the prefix's own folder
            folder = self.prefix.rpartition("/")[0] + "/" if "/" in self.prefix else ""
            return [_Watch(folder, self.prefix, "none")]
        lo, hi = now - self.late_window, now + self.early_window
        watches = []
        for root in roots:
            fixed = _fixed_folder(root, self.prefix)
            if fixed is not None:
                watches.append(fixed)
                continue
            day = lo.date()
            while day <= hi.date():
                folder = layout.day_prefix(root, day)
                if folder.startswith(self.prefix):
                    watches.append(_Watch(folder, "", "range"))
                day += timedelta(days=1)
        return watches

    def _region_roots(self, requests: list[int]) -> list[layout.RegionRoot]:
        root = layout.region_root(self.prefix)
        if root is not None:
            return [root]
        if layout.find_awslogs(self.prefix) is None and layout.parse_file_name(
                self.prefix.rpartition("/")[2]) is not None:
            return []
        stale = time.monotonic() - self._roots_at > self.rediscover_every
        if self._roots is None or stale:
            counter = _CountingClient(self.client)
            roots = region_roots(counter, self.bucket, self.prefix)
            requests[0] += counter.calls
            self._roots, self._roots_at = roots, time.monotonic()
        return self._roots

    def _follow(self, watch: _Watch, now: datetime, requests: list[int], out: ScanResult,
                sweep: bool) -> None:
        """List one folder (and the hour folders under it that the watch wants)."""
        try:
            subfolders = self._scan(watch.folder, watch.filter, requests, out, sweep)
        except Exception as exc:
            out.errors.append(self._describe(exc, watch.folder))
            return
        out.listed.append(watch.folder)
        hours = [s for s in subfolders if layout.parse_hour_folder(s) is not None
                 and (s.startswith(watch.filter) or watch.filter.startswith(s))]
        if watch.hours == "none" or not hours:
            return
        day = layout.parse_day_prefix(watch.folder)
        chosen = []
        if day is not None:
            lo, hi = now - self.late_window, now + self.early_window
            for sub in hours:
                hour = layout.parse_hour_folder(sub)
                assert hour is not None
                start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
                if start + timedelta(hours=1) > lo and start <= hi:
                    chosen.append(sub)
        if not chosen and watch.hours == "latest":
            chosen = hours[-2:]  # a past day the user named: its last hours get late files
        for sub in chosen:
            if self._stop.is_set():
                return
            self._follow(_Watch(sub, watch.filter if len(watch.filter) > len(sub) else "",
                                "none"), now, requests, out, sweep)

    # --- listing one folder ----------------------------------------------------------------

    def _scan(self, folder: str, flt: str, requests: list[int], out: ScanResult,
              sweep: bool) -> list[str]:
        """Walk ``folder`` in key order, jumping over what each known flow log has already
        shown; new keys go to ``out.found`` (or ``out.baseline`` on the first listing), and
        the keys the lookback passed by that the walk happens to meet to ``out.missed``.
        Returns the subfolders met on the way."""
        state = self._folders.get(folder)
        first = state is None
        if state is None:
            state = _Folder()
        taking_baseline = first and self.baseline_open
        subfolders: list[str] = []
        new: list[Found] = []
        missed: list[Found] = []
        # Keys starting with the filter sort after the filter less its last character.
        start_after = flt[:-1] if flt else None
        if not sweep and state.groups:  # new flow logs sorting first wait for a sweep
            resume = state.groups[min(state.groups)].start_after(self.lookback, False)
            start_after = resume if resume is not None else start_after
        pager = PrefixPager(self.client, self.bucket, folder, page_size=_PROBE_KEYS,
                            start_after=start_after)
        done = False
        while pager.has_more and not done and not self._stop.is_set():
            entries = pager.next_page()
            requests[0] += 1
            jump: str | None = None
            jump_group: _Group | None = None
            for e in entries:
                if flt and not e.key.startswith(flt):
                    if e.key > flt and not flt.startswith(e.key):
                        done = True  # past everything the filter can match
                        break
                    continue
                if e.kind == "prefix":
                    subfolders.append(e.key)
                    continue
                facts = _name_facts(e.key)
                if facts is None:
                    continue  # not a flow-log object (README, _SUCCESS marker, ...)
                group_prefix, flid, stamp = facts
                group = state.groups.get(group_prefix)
                if group is None:
                    group = state.groups[group_prefix] = _Group(group_prefix, flid)
                after = group.start_after(self.lookback, sweep)
                if after is not None and e.key <= after:
                    if self._passed_by(group, e.key, stamp):
                        missed.append(Found(e, group_prefix, flid, stamp))
                    jump, jump_group = after, group
                    break
                if e.key in group.seen:
                    continue
                new.append(Found(e, group_prefix, flid, stamp))
            if jump is not None and jump_group is not None:
                # the keys already seen in the window, one new, and the next flow log's first
                expect = (len(jump_group.seen) if sweep else 0) + 2
                pager = PrefixPager(self.client, self.bucket, folder,
                                    page_size=min(_MAX_KEYS, expect), start_after=jump)
            else:
                pager.page_size = min(_MAX_KEYS, pager.page_size * 4)
        if self._stop.is_set():
            return subfolders
        # Commit only after the whole folder was listed: a listing cut by an error leaves
        # the cursors as they were, and the next poll finds the same keys again.
        self._folders[folder] = state
        for f in new:
            state.groups[f.group].add(f.entry.key, f.stamp, self.lookback)
            if self.newest is None or (f.stamp, f.entry.key) > self.newest:
                self.newest = (f.stamp, f.entry.key)
                self.newest_delivered = f.entry.last_modified
        (out.baseline if taking_baseline else out.found).extend(new)
        out.missed.extend(missed)
        return subfolders

    def _passed_by(self, group: _Group, key: str, stamp: datetime) -> bool:
        """Whether ``key``, met just before a jump over ``group``'s known keys, is a file
        that will never be read: it sorts before every key this flow log ever had in the
        folder (so it appeared after the folder's first listing, which took every key, and
        was not read since: reads only add keys), and its stamp is behind the lookback (no
        sweep lists it). The walk meets only the first key of each flow log before jumping,
        so a late file sorting after another is not seen: this costs no listing."""
        return (group.first is not None and key < group.first and group.newest is not None
                and stamp < group.newest - self.lookback and key not in self._missed)

    def backfill(self, baseline: list[Found], count: int) -> list[Found]:
        """The newest ``count`` files per flow log among those the starting point saw."""
        if not count or not baseline:
            return []
        by_log: dict[tuple[str, str], list[Found]] = {}
        for f in baseline:
            facts = f.group.rpartition("/")[2]  # account_vpcflowlogs_region_flid_
            by_log.setdefault((facts, f.flow_log_id), []).append(f)
        out: list[Found] = []
        for items in by_log.values():
            items.sort(key=lambda f: (f.stamp, f.entry.key))
            out.extend(items[-count:])
        return out


class _CountingClient:
    """Counts the list calls region discovery makes (for ``PollDone.requests``)."""

    def __init__(self, client: Lister) -> None:
        self._client = client
        self.calls = 0

    def list_objects_v2(self, **kw: Unpack[ListObjectsV2RequestTypeDef]
                        ) -> ListObjectsV2OutputTypeDef:
        self.calls += 1
        return self._client.list_objects_v2(**kw)


def folders_ended(folders: Sequence[str], now: datetime) -> tuple[datetime, str] | None:
    """(when, "day" or "hour") when every one of ``folders`` (a poll's listed folders) is a
    day or hour folder whose period is over at ``now``: the latest end among them. A tail of
    a day folder stays on it (``_fixed_folder``), so after its midnight only late files land
    there and the newest file ages however AWS delivers; STALE then has this reason, not a
    late delivery. None when any folder is not dated or not over."""
    latest: tuple[datetime, str] | None = None
    for folder in folders:
        end = _folder_end(folder)
        if end is None or end[0] > now:
            return None
        if latest is None or end[0] > latest[0]:
            latest = end
    return latest


def _folder_end(folder: str) -> tuple[datetime, str] | None:
    """When a day or hour folder's period ends, and which it is; None for any other."""
    trimmed = folder.rstrip("/")
    parent, _, last = trimmed.rpartition("/")
    hour = layout.parse_hour_folder(last)
    if hour is not None:
        day = _day_of(parent + "/")
        if day is not None:
            start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
            return start + timedelta(hours=1), "hour"
    day = _day_of(folder)
    if day is None:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1), "day"


def _day_of(folder: str) -> date | None:
    """The date of a day folder whose year has four digits (``2024/03/05/`` or Hive's
    ``year=2024/…``), so ``…/03/05/14/`` (an hour folder) is not read as the year 3."""
    parts = folder.rstrip("/").split("/")
    if len(parts) < 3 or len(parts[-3].partition("=")[2] or parts[-3]) != 4:
        return None
    return layout.parse_day_prefix(folder)


def normalise_prefix(key: str) -> str:
    """A prefix naming a folder without its "/" gets one; a partial file name stays as is."""
    if not key or key.endswith("/"):
        return key
    last = key.rpartition("/")[2]
    if "_vpcflowlogs_" in last or layout.parse_file_name(last) is not None:
        return key
    return key + "/"


def _fixed_folder(root: layout.RegionRoot, prefix: str) -> _Watch | None:
    """When the prefix names a day folder or something inside one, that folder is fixed
    (no clock): a day folder follows its hour folders in range (or its last ones)."""
    if not prefix.startswith(root.prefix):
        return None
    rest = prefix[len(root.prefix):].split("/")
    if len(rest) < 4:  # year / month / day / (after the day's "/")
        return None
    day = root.prefix + "/".join(rest[:3]) + "/"
    if layout.parse_day_prefix(day) is None:
        return None
    inside = rest[3:]
    if len(inside) >= 2 and layout.parse_hour_folder(inside[0]) is not None:
        hour = day + inside[0] + "/"
        return _Watch(hour, prefix if len(prefix) > len(hour) else "", "none")
    return _Watch(day, prefix if len(prefix) > len(day) else "", "latest")
