"""Which network addresses Troupe calls on a customer's behalf: the one policy shared by the API
(webhook tools at create/update and dry run, customer webhook deliveries) and the agent runtime
(webhook tools at call time).

Refused: loopback, private (RFC 1918, unique-local), carrier-grade NAT (100.64.0.0/10),
link-local (169.254.0.0/16 and fe80::/10: cloud metadata lives there), IPv4 forms carried in
IPv6 (mapped, compatible, 6to4, Teredo, NAT64), documentation, benchmarking, multicast and
reserved ranges, plus the metadata host names clouds answer on. A host an operator lists in
``TROUPE_WEBHOOK_ALLOWED_HOSTS`` is exempt (a tool on the same machine in development).

The caller resolves once (``resolve``), checks every address, and connects to the address it
checked (``Target.pinned_url`` with the original ``Host`` header and TLS server name), so a
second DNS answer cannot swap in a refused address between the check and the connection.
Redirects are never followed. Standard library only, so both processes import it cheaply."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
ALLOWED_HOSTS_ENV = "TROUPE_WEBHOOK_ALLOWED_HOSTS"

_REFUSED: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "this-network"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "carrier-grade NAT"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local (cloud metadata)"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignment"),
    ("192.0.2.0/24", "documentation"),
    ("192.88.99.0/24", "6to4 relay"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("::ffff:0:0/96", "IPv4-mapped"),
    ("::/96", "IPv4-compatible"),
    ("64:ff9b::/96", "NAT64"),
    ("64:ff9b:1::/48", "NAT64"),
    ("100::/64", "discard"),
    ("2001::/32", "Teredo"),
    ("2001:db8::/32", "documentation"),
    ("2002::/16", "6to4"),
    ("fc00::/7", "unique-local (private)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local"),
    ("ff00::/8", "multicast"),
)
REFUSED_NETWORKS: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.ip_network(net), why) for net, why in _REFUSED
)
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.azure.com",
    }
)


class AddressRefused(ValueError):
    """The URL's host is (or resolves to) an address the policy refuses."""

    def __init__(self, message: str, *, host: str, addresses: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.host = host
        self.addresses = sorted(addresses)


class HostUnresolved(OSError):
    """The host name has no address now (a DNS failure: may be transient)."""

    def __init__(self, host: str) -> None:
        super().__init__(f"The host {host!r} does not resolve.")
        self.host = host


def refusal(address: str | IPAddress) -> str | None:
    """Why ``address`` is refused, or None for a public unicast address."""
    ip = ipaddress.ip_address(str(address).split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        reason = refusal(ip.ipv4_mapped)
        return f"IPv4-mapped {reason}" if reason else None
    for network, why in REFUSED_NETWORKS:
        if ip.version == network.version and ip in network:
            return why
    if not ip.is_global:
        return "not a public address"
    return None


@dataclass(frozen=True)
class Target:
    """A URL with the one address it is to be called on."""

    url: str
    scheme: str
    host: str
    port: int
    address: str

    def pinned_url(self) -> str:
        """``url`` with the checked address in place of the host name."""
        parts = urlsplit(self.url)
        literal = f"[{self.address}]" if ":" in self.address else self.address
        netloc = literal if parts.port is None else f"{literal}:{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def tls_server_name(self) -> str | None:
        """The name TLS verifies the certificate against (and sends as SNI)."""
        return self.host if self.scheme == "https" else None


def _split(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressRefused("The URL is not valid.", host="") from exc
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or not host:
        raise AddressRefused("The URL must be an absolute http(s) URL.", host=host)
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def _is_allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    return host in {h.strip().lower().rstrip(".") for h in allowed_hosts if h.strip()}


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_url(url: str, allowed_hosts: Iterable[str] = ()) -> None:
    """What can be decided without DNS (at create/update): the scheme, a refused IP literal, a
    metadata host name. A name that resolves to a refused address is caught by ``resolve``."""
    _scheme, host, _port = _split(url)
    if _is_allowed(host, allowed_hosts):
        return
    if host in METADATA_HOSTS:
        raise AddressRefused(f"The host {host!r} is a cloud metadata service.", host=host)
    ip = _literal(host)
    if ip is not None and (why := refusal(ip)) is not None:
        raise AddressRefused(
            f"The host {host!r} is a {why} address.", host=host, addresses=[str(ip)]
        )


async def resolve(url: str, allowed_hosts: Iterable[str] = ()) -> Target:
    """Resolve the URL's host once and check every address it has; the target is pinned to the
    first. Raises ``AddressRefused`` (a policy refusal: final) or ``HostUnresolved`` (DNS)."""
    allowed = list(allowed_hosts)
    check_url(url, allowed)
    scheme, host, port = _split(url)
    literal = _literal(host)
    if literal is not None:
        return Target(url=url, scheme=scheme, host=host, port=port, address=str(literal))
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise HostUnresolved(host) from exc
    addresses = list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))
    if not addresses:
        raise HostUnresolved(host)
    if not _is_allowed(host, allowed):
        bad = {a: why for a in addresses if (why := refusal(a)) is not None}
        if bad:
            reasons = ", ".join(sorted(set(bad.values())))
            raise AddressRefused(
                f"The host {host!r} resolves to a refused address ({reasons}).",
                host=host,
                addresses=bad,
            )
    return Target(url=url, scheme=scheme, host=host, port=port, address=addresses[0])


def allowed_hosts_from_env() -> frozenset[str]:
    """``TROUPE_WEBHOOK_ALLOWED_HOSTS`` (comma-separated) for processes without the API's
    settings object (the agent runtime)."""
    raw = os.environ.get(ALLOWED_HOSTS_ENV, "")
    return frozenset(h.strip().lower() for h in raw.split(",") if h.strip())
