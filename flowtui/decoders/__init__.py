"""Decoders: turn one flow-log value into words a network engineer can act on.

Every decoder takes a value as the store holds it (int or str; never None, the caller handles
``-``) and returns a sentence, or None when there is nothing to add. Values outside the
documented sets are described as such and never refused: AWS keeps adding codes, and a tool
that hides an unexpected value hides exactly what the user came to look at.

This is the package's face (the field catalogue names its decoders through it); its rooms:
``values`` (reading a value; numbers, sizes, times), ``protocols`` (protocol numbers, TCP
flags), ``vocabulary`` (the documented value sets), ``endpoints`` (ports, addresses), ``cells``
(the short cell text). The facts follow shared/reference/flow-log-format.md (sections §n).
"""

from flowtui.decoders.cells import (
    display_value,
)
from flowtui.decoders.endpoints import (
    LINUX_EPHEMERAL,
    PORT_PROTOCOLS,
    WELL_KNOWN_PORTS,
    WINDOWS_EPHEMERAL,
    address_class,
    decode_address,
    decode_port,
    port_service,
)
from flowtui.decoders.protocols import (
    ACK,
    FIN,
    PROTOCOLS,
    SYN,
    TCP_FLAG_BITS,
    decode_protocol,
    decode_tcp_flags,
    decode_tgw_tcp_flags,
    display_tcp_flags,
    protocol_name,
    tcp_flag_names,
)
from flowtui.decoders.values import (
    MILLISECONDS_THRESHOLD,
    as_int,
    counted,
    decode_bytes,
    decode_count,
    decode_time,
    display_time,
    epoch_to_datetime,
    human_bytes,
)
from flowtui.decoders.vocabulary import (
    AWS_SERVICES,
    ENCRYPTION_STATUS,
    INTERFACE_TYPES,
    TRAFFIC_PATHS,
    decode_account_id,
    decode_action,
    decode_aws_service,
    decode_encryption_status,
    decode_flow_direction,
    decode_interface_type,
    decode_log_status,
    decode_reject_reason,
    decode_resource_type,
    decode_sublocation_type,
    decode_tag,
    decode_tgw_account_id,
    decode_tgw_flow_direction,
    decode_tgw_log_status,
    decode_traffic_path,
    decode_type,
    decode_version,
)

__all__ = [
    "ACK",
    "AWS_SERVICES",
    "ENCRYPTION_STATUS",
    "FIN",
    "INTERFACE_TYPES",
    "LINUX_EPHEMERAL",
    "MILLISECONDS_THRESHOLD",
    "PORT_PROTOCOLS",
    "PROTOCOLS",
    "SYN",
    "TCP_FLAG_BITS",
    "TRAFFIC_PATHS",
    "WELL_KNOWN_PORTS",
    "WINDOWS_EPHEMERAL",
    "address_class",
    "as_int",
    "counted",
    "decode_account_id",
    "decode_action",
    "decode_address",
    "decode_aws_service",
    "decode_bytes",
    "decode_count",
    "decode_encryption_status",
    "decode_flow_direction",
    "decode_interface_type",
    "decode_log_status",
    "decode_port",
    "decode_protocol",
    "decode_reject_reason",
    "decode_resource_type",
    "decode_sublocation_type",
    "decode_tag",
    "decode_tcp_flags",
    "decode_tgw_account_id",
    "decode_tgw_flow_direction",
    "decode_tgw_log_status",
    "decode_tgw_tcp_flags",
    "decode_time",
    "decode_traffic_path",
    "decode_type",
    "decode_version",
    "display_tcp_flags",
    "display_time",
    "display_value",
    "epoch_to_datetime",
    "human_bytes",
    "port_service",
    "protocol_name",
    "tcp_flag_names",
]
