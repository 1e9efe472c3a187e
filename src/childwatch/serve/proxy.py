"""Forwarded headers, believed only from the proxies named with `serve --trusted-proxy`.

    app = TrustedProxyMiddleware(app, ["127.0.0.1", "10.0.0.0/8"])

Anyone can send `X-Forwarded-For: 203.0.113.9`: believed from every peer (or from
loopback, where any local program or an SSH tunnel connects from), it lets a guesser
take a new address per request and walk past the per-address login throttle. So the
client is the peer address, unless the peer is a trusted proxy: then the client is read
from `Forwarded` (RFC 7239) or else `X-Forwarded-For`, walking from the right past the
trusted proxies' own entries (the left ones are whatever the client wrote), and the
scheme from `proto=` or `X-Forwarded-Proto` (it decides the cookie's Secure flag).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from childwatch.errors import InputError

__all__ = ["TrustedProxyMiddleware", "parse_networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_FOR = re.compile(r'(?:^|;)\s*for\s*=\s*("[^"]*"|[^;,\s]*)', re.IGNORECASE)
_PROTO = re.compile(r'(?:^|;)\s*proto\s*=\s*("[^"]*"|[^;,\s]*)', re.IGNORECASE)


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Addresses and CIDR ranges ("127.0.0.1", "10.0.0.0/8", "::1"); InputError naming a bad one."""
    found = []
    for value in values:
        try:
            found.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise InputError(
                f"--trusted-proxy {value!r}", "not an IP address or network",
                "give the proxy's address (127.0.0.1, ::1) or a range (10.0.0.0/8)",
            ) from None  # fmt: skip
    return tuple(found)


def _address(token: str) -> str | None:
    """The IP address in a forwarded-for entry ("203.0.113.9", '"[2001:db8::1]:4711"',
    "198.51.100.1:80"), normalised; None for "unknown", obfuscated names and garbage."""
    token = token.strip().strip('"').strip()
    if token.startswith("["):
        token = token[1 : token.find("]")] if "]" in token else ""
    elif token.count(":") == 1:  # IPv4 with a port
        token = token.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(token))
    except ValueError:
        return None


class TrustedProxyMiddleware:
    """Sets ``scope["client"]`` and ``scope["scheme"]`` from forwarded headers when, and
    only when, the connection comes from a trusted proxy; otherwise leaves them alone."""

    def __init__(self, app: ASGIApp, trusted: Sequence[str | Network] = ()) -> None:
        self.app = app
        self.trusted = tuple(t if not isinstance(t, str) else parse_networks([t])[0] for t in trusted)

    def _trusted(self, address: str | None) -> bool:
        if address is None:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted:
            peer = scope.get("client")
            if peer and self._trusted(peer[0]):
                self._rewrite(scope, Headers(scope=scope))
        await self.app(scope, receive, send)

    def _rewrite(self, scope: Scope, headers: Headers) -> None:
        forwarded = ", ".join(headers.getlist("forwarded"))
        if forwarded:
            hops = [m.group(1) for part in forwarded.split(",") if (m := _FOR.search(part))]
            protos = [m.group(1).strip('"') for part in forwarded.split(",") if (m := _PROTO.search(part))]
            proto = protos[-1] if protos else None
        else:
            hops = [h for value in headers.getlist("x-forwarded-for") for h in value.split(",")]
            proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip() or None
        client = None
        for hop in reversed(hops):  # the right-most entry that is not one of our proxies
            client = _address(hop)
            if client is None or not self._trusted(client):
                break
        if client is not None:
            scope["client"] = (client, 0)
        if proto and proto.lower() in ("http", "https"):
            scope["scheme"] = proto.lower()
