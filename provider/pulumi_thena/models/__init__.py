"""Pydantic models: what users write (definitions), what the API returns, and the rules between."""

from pulumi_thena.models.api import (
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
from pulumi_thena.models.base import whole_to_int
from pulumi_thena.models.definition import (
    DEFINITION_FIELDS,
    IMMUTABLE_FIELDS,
    ActivityRef,
    Annotation,
    CompensationActivity,
    RetryPolicy,
    WorkflowDefinition,
    WorkflowStep,
)
from pulumi_thena.models.filters import default_catalog_wire, filter_problems
from pulumi_thena.models.problems import Problem, format_path, problems_from_validation_error
from pulumi_thena.models.rules import (
    Registry,
    definition_problems,
    registry_problems,
    step_graph_problems,
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
    "problems_from_validation_error",
    "registry_problems",
    "step_graph_problems",
    "whole_to_int",
]
