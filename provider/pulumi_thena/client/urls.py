"""Which API URLs may carry the key: ``https://`` anywhere, ``http://`` only to this machine.

The key travels in a header of every request, so over plain HTTP anyone on the path reads it.
Plain HTTP is for the local emulator, on a loopback address (``localhost``, ``127.0.0.0/8``,
``::1``). The provider's settings and the CLI's credentials both refuse anything else.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse


def is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine (``localhost`` or a loopback address)."""
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cleartext_url_problem(url: str, setting: str) -> str | None:
    """What is wrong with sending the key to ``url`` (named by ``setting``), or None."""
    if urlparse(url).scheme.lower() != "http" or is_loopback(url):
        return None
    return (
        f"{setting} is {url}: plain http:// to another machine would send the API key "
        "unencrypted; use the https:// URL (http:// is accepted only for a loopback address, "
        "such as the local emulator)"
    )
