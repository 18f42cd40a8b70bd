"""The account's network inventory, read from EC2 with six Describe calls and cached on disk.

Names for interfaces and private addresses, and the rules behind a REJECT, all come from the
same few lists: network interfaces, instances (their Name tags), security groups, network
ACLs, subnets and VPCs. They are read page by page (the only EC2 calls flowtui makes; a hook
refuses any other before it is sent), kept as the plain dicts EC2 answered, and written to
``$XDG_CACHE_HOME/flowtui/ec2-<account>-<region>.json`` with the time they were read, so a
second run starts at once and says how old its names are. ``refresh`` reads EC2 again.

Failure is never fatal: without a permission, or with EC2 unreachable, ``load_inventory``
returns no inventory and one line naming the missing permission; names then come from the
names file and AWS's IP ranges only.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

if TYPE_CHECKING:
    from types_boto3_ec2 import EC2Client

#: The EC2 calls flowtui makes, each with the IAM action it needs. Anything else is refused.
ACTIONS = {
    "DescribeNetworkInterfaces": "ec2:DescribeNetworkInterfaces",
    "DescribeInstances": "ec2:DescribeInstances",
    "DescribeSecurityGroups": "ec2:DescribeSecurityGroups",
    "DescribeNetworkAcls": "ec2:DescribeNetworkAcls",
    "DescribeSubnets": "ec2:DescribeSubnets",
    "DescribeVpcs": "ec2:DescribeVpcs",
}
ALLOWED_OPERATIONS = frozenset(ACTIONS)
#: Inventory key → (paginator name, result key, page size). Read in this order. Paged
#: requests always: EC2 refuses an unpaged DescribeNetworkInterfaces on large accounts, and
#: DescribeNetworkAcls takes at most 100 a page.
#: The Describe calls whose pages are read, by the attribute each list is kept in.
_Describe = Literal["describe_network_interfaces", "describe_instances",
                    "describe_security_groups", "describe_network_acls", "describe_subnets",
                    "describe_vpcs"]
_LISTS: dict[str, tuple[_Describe, str, int]] = {
    "interfaces": ("describe_network_interfaces", "NetworkInterfaces", 1000),
    "reservations": ("describe_instances", "Reservations", 1000),
    "security_groups": ("describe_security_groups", "SecurityGroups", 1000),
    "network_acls": ("describe_network_acls", "NetworkAcls", 100),
    "subnets": ("describe_subnets", "Subnets", 1000),
    "vpcs": ("describe_vpcs", "Vpcs", 1000),
}
CACHE_VERSION = 1
#: A cache older than this is read again (falling back to it, said so, if EC2 can't be read).
MAX_AGE = 24 * 3600


class EC2Refused(RuntimeError):
    """flowtui tried an EC2 call outside the six Describe calls it needs."""


class InventoryError(Exception):
    """The inventory could not be read; ``str()`` is the one line to show."""


def _refuse_others(model: Any = None, **_: Any) -> None:
    name = getattr(model, "name", None)
    if name not in ALLOWED_OPERATIONS:
        raise EC2Refused(f"flowtui only reads the EC2 inventory; refused to send {name}")


def make_ec2_client(profile: str | None = None, region: str | None = None,
                    endpoint_url: str | None = None, *, connect_timeout: float = 5.0,
                    read_timeout: float = 20.0, max_attempts: int = 3) -> EC2Client:
    """An EC2 client that can send only the calls in ``ALLOWED_OPERATIONS``; its model comes
    from the process's shared loader (parsed once, not once per names read)."""
    from botocore.config import Config

    from flowtui.s3.session import botocore_session

    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL_EC2") or os.environ.get(
        "AWS_ENDPOINT_URL")
    config = Config(retries={"mode": "standard", "total_max_attempts": max_attempts},
                    connect_timeout=connect_timeout, read_timeout=read_timeout)
    client = cast("EC2Client", botocore_session(profile, region).create_client(
        "ec2", endpoint_url=endpoint, config=config))
    client.meta.events.register("before-call.ec2", _refuse_others)
    from flowtui.redact import watch

    watch(client)  # its credentials are hidden from every error text
    return client


@dataclass
class Inventory:
    """What EC2 answered, as plain dicts, with when it was read."""

    region: str
    fetched_at: float
    interfaces: list[dict[str, Any]] = field(default_factory=list)
    reservations: list[dict[str, Any]] = field(default_factory=list)
    security_groups: list[dict[str, Any]] = field(default_factory=list)
    network_acls: list[dict[str, Any]] = field(default_factory=list)
    subnets: list[dict[str, Any]] = field(default_factory=list)
    vpcs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accounts(self) -> set[str]:
        """The accounts that own what was read (the caller's, and any that share VPCs)."""
        owners = {v.get("OwnerId") for v in self.vpcs} | {
            i.get("OwnerId") for i in self.interfaces}
        return {o for o in owners if o}

    def age(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.fetched_at)

    def to_json(self) -> dict[str, Any]:
        return {"version": CACHE_VERSION, "region": self.region, "fetched_at": self.fetched_at,
                **{key: getattr(self, key) for key in _LISTS}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Inventory:
        if data.get("version") != CACHE_VERSION:
            raise ValueError("cache of another version")
        return cls(region=str(data["region"]), fetched_at=float(data["fetched_at"]),
                   **{key: list(data.get(key) or []) for key in _LISTS})


def fetch(client: EC2Client, region: str, *, cancelled: Callable[[], bool] = lambda: False
          ) -> Inventory:
    """Read the six lists, every page. Raises ``InventoryError`` with one line."""
    from botocore import exceptions as bce
    from botocore.parsers import ResponseParserError

    lists: dict[str, list[dict[str, Any]]] = {}
    operation = ""
    try:
        for key, (method, result_key, size) in _LISTS.items():
            operation = "".join(part.title() for part in method.split("_"))
            items: list[dict[str, Any]] = []
            for page in client.get_paginator(method).paginate(
                    PaginationConfig={"PageSize": size}):
                found = page.get(result_key)  # the pages' types differ; each holds a list
                if isinstance(found, list):
                    items.extend(found)
                if cancelled():
                    raise InventoryError("reading the EC2 inventory was stopped")
            lists[key] = items
    except bce.ClientError as exc:
        raise InventoryError(_client_error(exc, operation, region)) from None
    except (bce.EndpointConnectionError, bce.ConnectTimeoutError, bce.ReadTimeoutError,
            bce.ConnectionClosedError) as exc:
        raise InventoryError(f"EC2 in {region} unreachable ({_safe(str(exc))}): names of "
                             "interfaces and private addresses are not shown") from None
    except ResponseParserError:  # not a BotoCoreError: a proxy's or portal's page, say
        raise InventoryError(f"EC2 in {region} answered with something that is not an EC2 "
                             "response (a proxy or a sign-in page between here and AWS?): "
                             "names of interfaces and private addresses are not shown"
                             ) from None
    except bce.NoCredentialsError:
        raise InventoryError("no AWS credentials for EC2: names of interfaces and private "
                             "addresses are not shown") from None
    except bce.BotoCoreError as exc:
        raise InventoryError(f"EC2 inventory: {_safe(str(exc))}") from None
    return Inventory(region=region, fetched_at=time.time(), **lists)


def _client_error(exc: Any, operation: str, region: str) -> str:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    action = ACTIONS.get(operation, f"ec2:{operation}")
    if code in ("UnauthorizedOperation", "AccessDenied", "AccessDeniedException",
                "AuthFailure", "UnauthorizedAccess"):
        return (f"EC2 inventory: {action} is not allowed in {region}: names of interfaces "
                f"and private addresses are not shown (ask for {action} and the other "
                "ec2:Describe* actions in the README's Names section)")
    message = _safe(str(error.get("Message", "")))
    return f"EC2 inventory: {operation} failed in {region}: {code} {message}".rstrip()


def _safe(text: str) -> str:
    """One line, no credentials (``flowtui.redact`` through ``safe_text``), bounded."""
    from flowtui.s3.errors import safe_text

    return safe_text(text, 200)


# ------------------------------------------------------------------------------- the cache

_SAFE_PART = re.compile(r"[^A-Za-z0-9_.-]")


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/flowtui`` (``~/.cache/flowtui``); ``FLOWTUI_NAMES_CACHE`` names
    another folder (the demo's own, so it never leaves names in the user's cache)."""
    if os.environ.get("FLOWTUI_NAMES_CACHE"):
        return Path(os.environ["FLOWTUI_NAMES_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "flowtui"


def cache_path(account: str, region: str) -> Path:
    name = f"ec2-{_SAFE_PART.sub('_', account or 'default')}-{_SAFE_PART.sub('_', region)}.json"
    return cache_dir() / name


def read_cache(account: str, region: str) -> Inventory | None:
    try:
        data = json.loads(cache_path(account, region).read_text(encoding="utf-8"))
        return Inventory.from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_cache(inventory: Inventory, account: str) -> None:
    """Written whole or not at all (a temporary name, renamed), readable by its owner only."""
    path = cache_path(account, inventory.region)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".partial")
        temporary.write_text(json.dumps(inventory.to_json(), default=str), encoding="utf-8")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except OSError:
        pass  # a cache that can't be written costs a re-read next time, nothing more


@dataclass
class Loaded:
    """``load_inventory``'s answer: the inventory (or None) and lines for the user."""

    inventory: Inventory | None
    notes: list[str] = field(default_factory=list)
    from_cache: bool = False


def load_inventory(account: str, region: str, client_factory: Callable[[], EC2Client], *,
                   refresh: bool = False, max_age: float = MAX_AGE,
                   cancelled: Callable[[], bool] = lambda: False) -> Loaded:
    """The inventory of ``account`` in ``region``: from the cache when it is fresh enough and
    no refresh was asked for, else from EC2 (then cached). A failure is a note, not an error:
    a stale cache is used and said so."""
    cached = None if refresh else _own_cache(account, region)
    if cached is not None and cached.age() <= max_age:
        return Loaded(cached, [], from_cache=True)
    try:
        inventory = fetch(client_factory(), region, cancelled=cancelled)
    except InventoryError as exc:
        stale = cached or _own_cache(account, region)
        if stale is not None:
            return Loaded(stale, [f"{exc}; using names read {describe_age(stale.age())} ago"],
                          from_cache=True)
        return Loaded(None, [str(exc)])
    if not _is_of(inventory, account):
        # Another account's interfaces are no evidence about this one's records: its private
        # addresses overlap theirs freely. Neither used nor cached under this account's name.
        return Loaded(None, [
            f"EC2 inventory: these credentials read account "
            f"{', '.join(sorted(inventory.accounts))}, the records are of account {account}: "
            "its interfaces and private addresses are not named (use that account's "
            "credentials, --profile)"])
    write_cache(inventory, account)
    return Loaded(inventory, [])


def _is_of(inventory: Inventory, account: str) -> bool:
    """The inventory can name records of ``account`` ("" = unknown: any). A flow log
    record's account-id is "the AWS account ID of the owner of the source network
    interface" (VPC User Guide, Flow log records), and an S3 key's ``AWSLogs/<account>``
    the account whose flow log it is: an inventory read with another account's credentials
    holds none of those interfaces, only addresses that may coincide with theirs."""
    return not account or not inventory.accounts or account in inventory.accounts


def _own_cache(account: str, region: str) -> Inventory | None:
    """The cached inventory of ``account``, None when missing or of another account (a
    cache written before ``_is_of`` was checked)."""
    cached = read_cache(account, region)
    return cached if cached is not None and _is_of(cached, account) else None


def describe_age(seconds: float) -> str:
    """``40s``, ``12 min``, ``3 h``, ``2 d``: how old the names are, for a status line."""
    if seconds < 60:
        return f"{int(seconds)}s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} d"


__all__ = ["ACTIONS", "ALLOWED_OPERATIONS", "EC2Refused", "Inventory", "InventoryError",
           "Loaded", "cache_path", "describe_age", "fetch", "load_inventory",
           "make_ec2_client", "read_cache", "write_cache"]
