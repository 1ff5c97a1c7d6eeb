"""What the API returns: tolerant models of workflows, registries, executions, tasks and errors.

Unknown fields are kept, missing optional fields are fine, and status values outside the
documented enums are kept as plain strings (SPEC U-15) instead of failing validation.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field

from pulumi_thena.models.base import ApiModel, Int, Number


class ExecutionStatus(StrEnum):
    PENDING = "PENDING"
    SCHEDULED = "SCHEDULED"
    EXECUTING_ACTIVITIES = "EXECUTING_ACTIVITIES"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    RETRYING = "RETRYING"
    COMPENSATING = "COMPENSATING"
    SUSPENDED = "SUSPENDED"


class TaskStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    UNAUTHORIZED = "UNAUTHORIZED"
    STARTED = "STARTED"
    AWAITING_USER_INPUT = "AWAITING_USER_INPUT"
    FAILED = "FAILED"
    FINISHED = "FINISHED"


_KnownFirst = Field(union_mode="left_to_right")
ExecutionStatusValue = Annotated[ExecutionStatus | str, _KnownFirst]
"""A documented execution status, or the raw string the server sent (SPEC U-15)."""
TaskStatusValue = Annotated[TaskStatus | str, _KnownFirst]


class TriggerEvent(ApiModel):
    """The registry event a workflow's ``triggerEvent`` resolves to."""

    uid: str | None = None
    event_name: str | None = None
    description: str | None = None
    source: str | None = None
    event_schema: dict[str, Any] | None = Field(default=None, alias="schema")
    metadata: dict[str, Any] | None = None


class RegistryEvent(TriggerEvent):
    """An entry of the event registry (E9)."""

    is_active: bool | None = None


class RegistryActivity(ApiModel):
    """An entry of the activity registry (E4); field names are the union of SPEC 4.10."""

    unique_identifier: str
    uid: str | None = None
    id: str | None = None
    name: str | None = None
    version: Int | None = None
    description: str | None = None
    source: str | None = None
    category: str | None = None
    is_active: bool | None = None


class FilterOperator(ApiModel):
    operator: str
    category: str | None = None
    description: str | None = None
    value_type: str | None = None


class LogicalOperator(ApiModel):
    operator: str
    description: str | None = None


class FilterOperatorCatalog(ApiModel):
    """The filter-operator catalogue (E1)."""

    operators: list[FilterOperator] = Field(default_factory=list)
    logical_operators: list[LogicalOperator] = Field(default_factory=list)

    def names(self) -> frozenset[str]:
        field_ops = {op.operator for op in self.operators}
        return frozenset(field_ops | {op.operator for op in self.logical_operators})


class Workflow(ApiModel):
    """A workflow as the API returns it (current version unless asked otherwise)."""

    unique_identifier: str = Field(min_length=1)
    uid: str | None = None
    name: str | None = None
    version: Int | None = None
    type: str | None = None
    sub_type: str | None = None
    trigger_event: TriggerEvent | str | None = None
    filters: dict[str, Any] | None = None
    annotations: list[Any] | None = None
    workflow_definition: list[dict[str, Any]] | None = None
    executing_agent: str | None = None
    is_active: bool | None = None
    created_at: str | None = None
    updated_at: str | None = None
    created_by: str | None = None
    team_id: str | None = None
    metadata: dict[str, Any] | None = None

    def trigger_event_name(self) -> str | None:
        """The event name when the server resolved the trigger, else the string it holds."""
        if isinstance(self.trigger_event, TriggerEvent):
            return self.trigger_event.event_name or self.trigger_event.uid
        return self.trigger_event


class WorkflowExecution(ApiModel):
    """One run of a workflow (E5)."""

    id: str
    workflow_id: str | None = None
    version: Int | None = None
    status: ExecutionStatusValue | None = None
    context: dict[str, Any] = Field(default_factory=dict)
    started_at: str | None = None
    last_updated_at: str | None = None


class WorkflowTask(ApiModel):
    """One activity run of an execution, retries and compensations included (E6)."""

    id: str
    step_identifier: Int | None = None
    activity: str | dict[str, Any] | None = None
    status: TaskStatusValue | None = None
    input: dict[str, Any] = Field(default_factory=dict)
    result: dict[str, Any] | None = None
    is_retry: bool = False
    is_compensation: bool = False
    execution_time: Number | None = None
    started_at: str | None = None
    last_updated_at: str | None = None


class ErrorBody(ApiModel):
    """The (assumed, NestJS-style) error body: ``{statusCode, message, error}`` (SPEC U-14)."""

    status_code: int | None = None
    message: str | list[str] | None = None
    error: str | None = None

    def messages(self) -> list[str]:
        if self.message is None:
            return []
        return [self.message] if isinstance(self.message, str) else list(self.message)
