"""One-line errors from the SDK's dynamic-provider host for errors written for the user.

The host (``python -m pulumi.dynamic``) reports any exception of a provider method with
``traceback.format_exc()``, so a WorkflowError (the API refused, the workflow belongs to another
stack) reached the user under a page of Python frames. The host looks ``traceback`` up in its
module globals at call time; ``install`` replaces it there with a stand-in whose ``format_exc``
gives a WorkflowError's message alone. Any other exception is a bug and keeps its traceback.
Outside that host (tests, programs) ``install`` does nothing.
"""

from __future__ import annotations

import sys
import traceback
from types import ModuleType
from typing import Any

from pulumi_thena.resources.errors import WorkflowError

_HOST_HOOK = "_abort_with_traceback"


class _UserFacingTraceback:
    """The ``traceback`` module, except that ``format_exc`` prints a WorkflowError alone."""

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    def format_exc(self, limit: int | None = None, chain: bool = True) -> str:
        error = sys.exc_info()[1]
        if isinstance(error, WorkflowError):
            return str(error)
        return traceback.format_exc(limit, chain)


def _host_module() -> ModuleType | None:
    main = sys.modules.get("__main__")
    if main is None or not callable(getattr(main, _HOST_HOOK, None)):
        return None
    return main if getattr(main, "traceback", None) is traceback else None


def install() -> None:
    """Make the running dynamic-provider host report WorkflowErrors as one line."""
    host = _host_module()
    if host is not None:
        host.traceback = _UserFacingTraceback()  # type: ignore[attr-defined]
