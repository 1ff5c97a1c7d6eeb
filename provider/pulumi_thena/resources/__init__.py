"""Pulumi resources: one module per resource, each with its provider and Resource class."""

from pulumi_thena.resources.errors import (
    ApiCallError,
    ConfigurationError,
    DefinitionError,
    OwnershipError,
    WorkflowError,
)
from pulumi_thena.resources.session import Session, Settings, configure_session, use_session
from pulumi_thena.resources.workflow import Workflow, WorkflowProvider

__all__ = [
    "ApiCallError",
    "ConfigurationError",
    "DefinitionError",
    "OwnershipError",
    "Session",
    "Settings",
    "Workflow",
    "WorkflowError",
    "WorkflowProvider",
    "configure_session",
    "use_session",
]
