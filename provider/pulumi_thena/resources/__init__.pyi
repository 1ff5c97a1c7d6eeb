"""Pulumi resources: one module per resource, each with its provider and Resource class."""

from .errors import (
    ApiCallError,
    ConfigurationError,
    DefinitionError,
    OwnershipError,
    WorkflowError,
)
from .session import Session, Settings, configure_session, use_session
from .workflow import Workflow, WorkflowProvider

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
