"""Contract: executions (E5) and their tasks (E6). Seeded cases run on the emulator only."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_thena.testing import EmulatorHandle
from tests.emulator.support import API, ApiTarget

EXECUTIONS = f"{API}/executions"


def test_executions_need_a_workflow_id(api: ApiTarget) -> None:
    response = api.http.get(EXECUTIONS)
    assert response.status_code == 400
    assert any("workflowId" in message for message in response.json()["message"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "RUNNING"}, "status"),
        ({"from": "yesterday"}, "from"),
        ({"to": "12345"}, "to"),
        ({"version": "one"}, "version"),
    ],
)
def test_executions_reject_bad_filters(api: ApiTarget, params: dict[str, str], field: str) -> None:
    created = api.create()
    response = api.http.get(
        EXECUTIONS, params={"workflowId": created["uniqueIdentifier"], **params}
    )
    assert response.status_code == 400
    assert any(field in message for message in response.json()["message"])


def test_a_new_workflow_has_no_executions(api: ApiTarget) -> None:
    created = api.create()
    response = api.http.get(EXECUTIONS, params={"workflowId": created["uniqueIdentifier"]})
    assert response.status_code == 200 and response.json() == []


def test_tasks_of_an_unknown_execution_are_404(api: ApiTarget) -> None:
    assert api.http.get(f"{API}/01ZZZZZZZZZZZZZZZZZZZZZZZZ/tasks").status_code == 404


# -- seeded (emulator only) -------------------------------------------------------------------

STARTS = ["2024-03-01T10:00:00.000Z", "2024-03-02T10:00:00.000Z", "2024-03-03T10:00:00.000Z"]


@pytest.fixture
def runs(api: ApiTarget, emulator: EmulatorHandle) -> tuple[str, list[dict[str, Any]]]:
    """A workflow with three seeded executions (versions 1, 1, 2), oldest first."""
    workflow = api.create()
    identifier = workflow["uniqueIdentifier"]
    seeded = emulator.control.seed(
        executions=[
            {"workflowId": identifier, "version": 1, "status": "FINISHED", "startedAt": STARTS[0]},
            {"workflowId": identifier, "version": 1, "status": "FAILED", "startedAt": STARTS[1]},
            {"workflowId": identifier, "version": 2, "status": "FINISHED", "startedAt": STARTS[2]},
        ]
    )
    return identifier, seeded["executions"]


def _listed(api: ApiTarget, workflow_id: str, **params: Any) -> list[Any]:
    response = api.http.get(EXECUTIONS, params={"workflowId": workflow_id, **params})
    assert response.status_code == 200, response.text
    return [run["id"] for run in response.json()]


def test_executions_newest_first(api: ApiTarget, runs: tuple[str, list[dict[str, Any]]]) -> None:
    identifier, seeded = runs
    assert _listed(api, identifier) == [run["id"] for run in reversed(seeded)]


def test_executions_by_version_and_status(
    api: ApiTarget, runs: tuple[str, list[dict[str, Any]]]
) -> None:
    identifier, seeded = runs
    assert _listed(api, identifier, version=2) == [seeded[2]["id"]]
    assert _listed(api, identifier, status="FAILED") == [seeded[1]["id"]]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2024-03-02T10:00:00Z", "2024-03-03T10:00:00.000Z"),  # ISO, inclusive at both ends
        ("1709373600000", "1709460000000"),  # epoch milliseconds
        ("1709373600", "1709460000"),  # epoch seconds
    ],
)
def test_executions_time_window_is_inclusive(
    api: ApiTarget, runs: tuple[str, list[dict[str, Any]]], start: str, end: str
) -> None:
    identifier, seeded = runs
    ids = _listed(api, identifier, **{"from": start, "to": end})
    assert ids == [seeded[2]["id"], seeded[1]["id"]]


def test_executions_survive_workflow_delete(
    api: ApiTarget, runs: tuple[str, list[dict[str, Any]]]
) -> None:
    identifier, _ = runs
    api.http.delete(f"{API}/{identifier}")
    assert len(_listed(api, identifier)) == 3


def test_tasks_sorted_by_step_then_start(api: ApiTarget, emulator: EmulatorHandle) -> None:
    workflow = api.create()
    task = {"activity": "http:webhook", "status": "FINISHED"}
    seeded = emulator.control.seed(
        executions=[
            {
                "workflowId": workflow["uniqueIdentifier"],
                "tasks": [
                    {**task, "stepIdentifier": 2, "startedAt": "2024-03-01T10:00:03Z"},
                    {**task, "stepIdentifier": 1, "startedAt": "2024-03-01T10:00:02Z"},
                    {**task, "stepIdentifier": 1, "startedAt": "2024-03-01T10:00:01Z"},
                ],
            }
        ]
    )
    execution = seeded["executions"][0]
    response = api.http.get(f"{API}/{execution['id']}/tasks")
    assert response.status_code == 200
    tasks = response.json()
    assert [(t["stepIdentifier"], t["startedAt"][-9:-5]) for t in tasks] == [
        (1, "0:01"),
        (1, "0:02"),
        (2, "0:03"),
    ]
    expected = {"id", "activity", "status", "input", "result", "isRetry", "isCompensation"}
    assert expected | {"executionTime", "startedAt", "lastUpdatedAt"} <= set(tasks[0])


def test_tasks_of_an_execution_without_tasks_are_empty(
    api: ApiTarget, runs: tuple[str, list[dict[str, Any]]]
) -> None:
    _, seeded = runs
    assert api.http.get(f"{API}/{seeded[0]['id']}/tasks").json() == []
