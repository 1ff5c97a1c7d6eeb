"""Pydantic models: what users write (definitions), what the API returns, and the rules between."""

from .api import (
    ErrorBody,
    ExecutionStatus,
    FilterOperator,
    FilterOperatorCatalog,
    LogicalOperator,
    RegistryActivity,
    RegistryEvent,
    TaskStatus,
    TriggerEvent,
    Workflow,
    WorkflowExecution,
    WorkflowTask,
)
from .base import whole_to_int
from .definition import (
    ActivityRef,
    Annotation,
    CompensationActivity,
    RetryPolicy,
    WorkflowDefinition,
    WorkflowStep,
)
from .fields import DEFINITION_FIELDS, IMMUTABLE_FIELDS
from .filters import default_catalog_wire, filter_problems
from .problems import Problem, format_path, problems_from_validation_error
from .rules import (
    Registry,
    definition_problems,
    partial_problems,
    registry_problems,
    step_graph_problems,
    wire_registry_problems,
)

__all__ = [
    "DEFINITION_FIELDS",
    "IMMUTABLE_FIELDS",
    "ActivityRef",
    "Annotation",
    "CompensationActivity",
    "ErrorBody",
    "ExecutionStatus",
    "FilterOperator",
    "FilterOperatorCatalog",
    "LogicalOperator",
    "Problem",
    "Registry",
    "RegistryActivity",
    "RegistryEvent",
    "RetryPolicy",
    "TaskStatus",
    "TriggerEvent",
    "Workflow",
    "WorkflowDefinition",
    "WorkflowExecution",
    "WorkflowStep",
    "WorkflowTask",
    "default_catalog_wire",
    "definition_problems",
    "filter_problems",
    "format_path",
    "partial_problems",
    "problems_from_validation_error",
    "registry_problems",
    "step_graph_problems",
    "whole_to_int",
    "wire_registry_problems",
]
