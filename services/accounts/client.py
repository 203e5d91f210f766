"""The client address a sign-in is counted against (DESIGN.md §9: 5 failures from one address
lock that address for the account).

X-Forwarded-For is believed only when the connection comes from a trusted proxy, listed in
`CARELEDGER_TRUSTED_PROXIES` (addresses or networks, comma-separated; none by default). Walking
the header from the right, the first address that is not itself a trusted proxy is the client:
what a client writes into the header itself stands further left and is never reached.

Streamlit runs on uvicorn, which already applies X-Forwarded-For for connections from loopback
(its `FORWARDED_ALLOW_IPS`, default 127.0.0.1 and ::1): behind nginx on the same host the peer
address Streamlit reports is already the client's. A proxy on another host (the compose file's
nginx container) has to be listed here.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping, Sequence

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

TRUSTED_PROXIES_ENV = "CARELEDGER_TRUSTED_PROXIES"
UNKNOWN = "unknown"
LOOPBACK = "127.0.0.1"  # Streamlit reports a loopback peer as no address at all


def trusted_proxies(environ: Mapping[str, str] | None = None) -> tuple[Network, ...]:
    """The configured trusted proxies; ValueError names the setting when one is not an address."""
    raw = (os.environ if environ is None else environ).get(TRUSTED_PROXIES_ENV, "")
    networks: list[Network] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as err:
            raise ValueError(f"{TRUSTED_PROXIES_ENV}: {item!r} is not an address") from err
    return tuple(networks)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The client's address, canonical (`2001:db8::1`), or UNKNOWN when it cannot be told."""
    peer_ip = _parse(peer if peer is not None else LOOPBACK)
    if peer_ip is None:
        return UNKNOWN
    if not _is_trusted(peer_ip, trusted) or not forwarded_for:
        return str(peer_ip)
    hops = [_parse(hop) for hop in forwarded_for.split(",")]
    if any(hop is None for hop in hops):
        return str(peer_ip)  # a garbled header proves nothing
    client = peer_ip
    for hop in reversed([hop for hop in hops if hop is not None]):
        client = hop
        if not _is_trusted(hop, trusted):
            break
    return str(client)


def _is_trusted(ip: Address, trusted: Sequence[Network]) -> bool:
    return any(ip.version == net.version and ip in net for net in trusted)


def _parse(value: str) -> Address | None:
    """An address from `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:443`."""
    text, port = value.strip(), ""
    if text.startswith("[") and "]" in text:
        text, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") if rest.startswith(":") else rest
    elif text.count(":") == 1:
        text, _, port = text.partition(":")
    if port and not port.isdigit():
        return None
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip
