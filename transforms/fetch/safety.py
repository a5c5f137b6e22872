"""Which URLs the fetcher may request.

The fetcher is a server-side request maker: a feed could point it at a cloud metadata service
(169.254.169.254), the machine itself or the private network. By default only http and https
URLs whose host resolves to public addresses are requested. The check runs before every
request and every redirect hop, and again on the connected socket's peer address, so a DNS
answer that changes between check and connect (rebinding) is caught too.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")


class Blocked(Exception):
    """The URL may not be requested: `reason` is bad_url, unsupported_scheme, blocked_address or dns_error."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)  # a zone ("fe80::1%eth0") is part of what it parses
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    # is_global is False for private, loopback, link-local, unspecified and carrier-grade NAT
    # ranges; multicast and IPv6's reserved ranges (::2, 4000::/3) can still count as global.
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)


def check_scheme(scheme: str) -> None:
    if scheme.lower() not in ALLOWED_SCHEMES:
        raise Blocked("unsupported_scheme", f"only http and https are fetched, not {scheme.lower() or 'a relative URL'!r}")


def check_address(address: str, host: str) -> None:
    if not is_public(address):
        raise Blocked("blocked_address",
                      f"{host} resolves to {address}, a non-public address (use --allow-private-networks to allow)")


def check_url(url: str, allow_private: bool) -> None:
    """Raises Blocked unless `url` may be requested. Resolves the host when private addresses are refused."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - an unclosed '[' or a bad port raises here
    except ValueError as exc:
        raise Blocked("bad_url", f"cannot request {url[:200]!r}: {exc}") from None
    check_scheme(parts.scheme)
    host = parts.hostname
    if not host:
        raise Blocked("unsupported_scheme", f"no host in {url!r}")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise Blocked("dns_error", f"cannot resolve {host}: {exc}") from None
    for info in infos:
        check_address(info[4][0], host)
