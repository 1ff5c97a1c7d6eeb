"""Which ``Host`` headers the emulator answers: a guard against DNS rebinding.

A web page can point a name it controls at 127.0.0.1 and then talk to a local server as if it
were its own origin; the ``Host`` header still carries the page's name. So the emulator answers
only requests addressed to it: a loopback name or address, the address it listens on, any name
given with ``allowed_hosts``, and, when it listens on every interface (``0.0.0.0``, ``::``),
any IP address and this machine's host name.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})


def is_loopback(host: str) -> bool:
    """``localhost``, ``*.localhost`` (RFC 6761) or a loopback address such as 127.0.0.1, ::1."""
    name = _normalised(host)
    if name == "localhost" or name.endswith(".localhost"):
        return True
    address = _address(name)
    return address is not None and address.is_loopback


class HostPolicy:
    """Decides whether a request's ``Host`` header names this emulator."""

    def __init__(self, listen_host: str, allowed: Iterable[str] = ()) -> None:
        self._listen = _normalised(listen_host)
        self._allowed = frozenset(_normalised(name) for name in allowed)
        self._wildcard = self._listen in WILDCARD_HOSTS
        self._machine = _normalised(socket.gethostname()) if self._wildcard else ""

    def allows(self, header: str | None) -> bool:
        """True for a request addressed to this emulator; a missing header is allowed (HTTP/1.0)."""
        if header is None:
            return True
        name = _host_of(header)
        if name is None:
            return False
        if name in self._allowed or name == self._listen or is_loopback(name):
            return True
        return self._wildcard and (_address(name) is not None or name == self._machine)


def _host_of(header: str) -> str | None:
    """The host part of a ``Host`` header (no port, no brackets), or None when malformed."""
    header = header.strip()
    if not header or any(char in header for char in "@/?#\\ \t"):
        return None
    try:
        host = urlsplit(f"//{header}").hostname
    except ValueError:
        return None
    return _normalised(host) if host else None


def _normalised(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def _address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None
