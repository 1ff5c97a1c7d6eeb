"""pulumi-thena: Thena workflows as code (a Pulumi dynamic provider, models, client, emulator).

The public names load lazily, so that ``python -m pulumi_thena.emulator`` (which needs none of
them) does not import the models or the Pulumi SDK.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_thena.models import WorkflowDefinition
    from pulumi_thena.resources import Workflow, WorkflowProvider

__all__ = ["Workflow", "WorkflowDefinition", "WorkflowProvider"]

_HOMES = {
    "Workflow": "pulumi_thena.resources",
    "WorkflowProvider": "pulumi_thena.resources",
    "WorkflowDefinition": "pulumi_thena.models",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'pulumi_thena' has no attribute {name!r}")
