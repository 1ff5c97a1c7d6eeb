"""API models are tolerant: extra fields kept, optional fields missing, unknown statuses kept."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pulumi_thena.models import (
    ErrorBody,
    ExecutionStatus,
    FilterOperatorCatalog,
    Workflow,
    WorkflowExecution,
    WorkflowTask,
    default_catalog_wire,
)


def test_workflow_keeps_unknown_fields_and_needs_only_its_identifier() -> None:
    wf = Workflow.model_validate({"uniqueIdentifier": "W1", "somethingNew": {"a": 1}})
    assert wf.model_extra == {"somethingNew": {"a": 1}}
    assert wf.version is None and wf.trigger_event_name() is None


def test_workflow_without_identifier_is_rejected() -> None:
    with pytest.raises(ValidationError):
        Workflow.model_validate({"name": "no id"})


def test_trigger_event_object_or_string() -> None:
    obj = Workflow.model_validate(
        {"uniqueIdentifier": "W", "triggerEvent": {"uid": "E1", "eventName": "ticket:created"}}
    )
    assert obj.trigger_event_name() == "ticket:created"
    text = Workflow.model_validate({"uniqueIdentifier": "W", "triggerEvent": "E1"})
    assert text.trigger_event_name() == "E1"


def test_unknown_statuses_do_not_fail() -> None:
    run = WorkflowExecution.model_validate({"id": "X", "status": "COMPLETED"})
    assert run.status == "COMPLETED" and not isinstance(run.status, ExecutionStatus)
    known = WorkflowExecution.model_validate({"id": "X", "status": "FAILED"})
    assert known.status is ExecutionStatus.FAILED
    task = WorkflowTask.model_validate({"id": "T", "status": "RUNNING", "executionTime": 2.5})
    assert task.status == "RUNNING" and task.execution_time == 2.5


def test_error_body_message_string_or_list() -> None:
    assert ErrorBody.model_validate({"message": "x"}).messages() == ["x"]
    assert ErrorBody.model_validate({"message": ["a", "b"]}).messages() == ["a", "b"]
    assert ErrorBody.model_validate({}).messages() == []


def test_default_catalog_parses_and_lists_every_operator() -> None:
    catalog = FilterOperatorCatalog.model_validate(default_catalog_wire())
    assert {"~eq", "~ncontains", "~isempty", "~and", "~or"} <= catalog.names()
    assert len(catalog.names()) == 20
