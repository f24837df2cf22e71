"""The address guard: which IP addresses the collector may connect to (SSRF protection).

Operators can type any URL, so every host is resolved and every address vetted before a
connection is made, on the first request and on every redirect hop (the guarded transport in
``collector.transport`` calls ``AddressGuard.resolve`` for each new connection and then
connects to the vetted address itself, so a DNS answer that changes between check and connect
cannot slip through).

``blocked_reason`` is the pure decision; ``AddressGuard`` adds resolution.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from collector.errors import CollectorError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Cloud metadata endpoints. Most are link-local or private anyway; Azure's wire server is a
# public address, so it is listed by name to be refused like the others.
CLOUD_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure IMDS, OpenStack, DigitalOcean, Oracle
        "169.254.170.2",  # AWS ECS task metadata
        "168.63.129.16",  # Azure wire server (public range)
        "100.100.100.200",  # Alibaba Cloud
        "fd00:ec2::254",  # AWS IMDS over IPv6
    )
)
# NAT64 prefix: 64:ff9b::10.0.0.1 reaches 10.0.0.1 through a NAT64 gateway.
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")


class BlockedAddress(CollectorError):
    """The host resolves to an address the collector must not connect to."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        super().__init__(f"{host} resolves to {address} ({reason}); refused")
        self.host = host
        self.address = address
        self.reason = reason


class ResolutionFailed(CollectorError):
    """The host name does not resolve."""


def parse_networks(cidrs: Iterable[str]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def blocked_reason(address: str | IPAddress, allow_networks: Sequence[IPNetwork] = ()) -> str | None:
    """Why ``address`` must not be fetched, or None when it may. Pure."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if any(ip.version == net.version and ip in net for net in allow_networks):
        return None
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        reason = blocked_reason(embedded, allow_networks)
        return f"embeds {embedded}: {reason}" if reason else None
    if ip in CLOUD_METADATA_ADDRESSES:
        return "cloud metadata address"
    if ip.is_loopback:
        return "loopback address"
    if ip.is_link_local:
        return "link-local address"
    if ip.is_multicast:
        return "multicast address"
    if ip.is_unspecified:
        return "unspecified address"
    if ip.is_reserved:
        return "reserved address"
    if ip.is_private:
        return "private address"
    if not ip.is_global:  # shared address space (100.64/10), documentation ranges, ...
        return "non-global address"
    return None


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64_PREFIX:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    """All addresses of ``host`` from the operating system's resolver."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ResolutionFailed(f"cannot resolve {host}: {exc.strerror or exc}") from exc
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone id
        if address not in addresses:
            addresses.append(address)
    return addresses


@dataclass
class AddressGuard:
    """Resolves a host and returns only vetted addresses; refuses the host if any is blocked."""

    allow_networks: tuple[IPNetwork, ...] = ()
    resolver: Resolver = system_resolver
    timeout: float = 10.0

    async def resolve(self, host: str, port: int) -> list[str]:
        literal = _ip_literal(host)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                addresses = await asyncio.wait_for(self.resolver(host, port), self.timeout)
            except TimeoutError as exc:
                raise ResolutionFailed(f"resolving {host} timed out") from exc
        if not addresses:
            raise ResolutionFailed(f"{host} has no addresses")
        # One bad address refuses the host: a name that mixes public and private answers is
        # the classic DNS-rebinding set-up.
        for address in addresses:
            reason = blocked_reason(address, self.allow_networks)
            if reason:
                raise BlockedAddress(host, address, reason)
        return addresses


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None
