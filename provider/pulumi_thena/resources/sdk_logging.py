"""The SDK's per-resource debug messages, kept from the engine unless asked for.

For every resource it registers, the Pulumi Python SDK sends the engine three debug messages
("registering resource", "resource registration prepared", "resource registration
successful"). Each is a blocking call to the engine on the program's event loop: at 500
workflows, 1,500 calls that held the loop for about 1.4 s of a no-op preview (py-spy,
docs/performance.md). The engine shows them only with ``--debug``.

``quiet_registration_debug`` drops those messages, and only those: it gives the SDK's
registration module (``pulumi.runtime.resource``) a view of ``pulumi.log`` whose ``debug`` does
nothing; warnings, errors and every other module's messages go on as before.
``THENA_SDK_DEBUG=1`` keeps them, for a run debugged with ``pulumi up --debug``. An SDK laid out
differently (no ``log`` there, or not ``pulumi.log``) is left as it is.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import ModuleType
from typing import Any

ENV = "THENA_SDK_DEBUG"
_KEEP_WORDS = frozenset({"1", "true", "yes", "on"})


class _QuietDebug:
    """``pulumi.log`` with ``debug`` dropped; every other name is the real module's."""

    def __init__(self, log: ModuleType) -> None:
        self._log = log

    def __getattr__(self, name: str) -> Any:
        return getattr(self._log, name)

    @staticmethod
    def debug(*_args: Any, **_kwargs: Any) -> None:
        return None


def quiet_registration_debug(environ: Mapping[str, str] = os.environ) -> bool:
    """Drop the SDK's per-resource debug messages; True if they are dropped now."""
    if environ.get(ENV, "").strip().lower() in _KEEP_WORDS:
        return False
    import pulumi.log
    import pulumi.runtime.resource as registration

    current = getattr(registration, "log", None)
    if isinstance(current, _QuietDebug):
        return True
    if current is not pulumi.log:
        return False
    setattr(registration, "log", _QuietDebug(pulumi.log))  # noqa: B010 (the SDK does not export it)
    return True
