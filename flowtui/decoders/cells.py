"""The short cell text of a value for a table or CSV: raw, or decoded in a few characters.

Apart from the decoders, which write the detail panel's sentences: a cell stays short and
sortable by eye (``2024-03-05 14:15:02``, ``TCP``, ``1.2M``, ``SYN,ACK``).
"""

from __future__ import annotations

from collections.abc import Callable

from flowtui.decoders.endpoints import port_service
from flowtui.decoders.protocols import display_tcp_flags, protocol_name
from flowtui.decoders.values import as_int, display_time, human_bytes
from flowtui.decoders.vocabulary import ENCRYPTION_STATUS, TRAFFIC_PATHS

# --------------------------------------------------------------------------- cell text


def _display_bytes(value: object) -> str:
    number = as_int(value)
    return human_bytes(number) if number is not None else str(value)


def _display_protocol(value: object) -> str:
    return protocol_name(value)


def _display_port(value: object) -> str:
    service = port_service(value)
    return f"{value} {service}" if service else str(value)


def _display_table(table: dict[int, tuple[str, str]]) -> Callable[[object], str]:
    def show(value: object) -> str:
        number = as_int(value)
        return table[number][0] if number in table else str(value)

    return show


_DISPLAY: dict[str, Callable[[object], str]] = {
    "start": display_time,
    "end": display_time,
    "bytes": _display_bytes,
    "protocol": _display_protocol,
    "tcp-flags": display_tcp_flags,
    "srcport": _display_port,
    "dstport": _display_port,
    "traffic-path": _display_table(TRAFFIC_PATHS),
    "encryption-status": _display_table(ENCRYPTION_STATUS),
}


def display_value(field: str, value: object, decoded: bool) -> str:
    """The short cell text for a table or CSV: raw (``-`` for None) or decoded.

    Decoded cells stay short and sortable by eye (``2024-03-05 14:15:02``, ``TCP``, ``1.2M``,
    ``SYN,ACK``); the detail panel carries the sentences. Times are UTC.
    """
    if value is None:
        return "-"
    if decoded:
        show = _DISPLAY.get(field)
        if show is not None:
            return show(value)
    return str(value)
