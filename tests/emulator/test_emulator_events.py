"""Firing events (``POST /__emulator/events``): workflows run as executions with tasks (E5, E6).

Each run goes through the shared evaluator (``spec.runs``); these tests check what the emulator
makes of it on the wire: which workflows run, the execution and task records the API lists,
waits that hold until ``POST /__emulator/executions/{id}/resolve`` decides them, and the errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.spec.statuses import EXECUTION_STATUSES, TASK_STATUSES
from pulumi_thena.testing import EmulatorControl, EmulatorHandle
from tests.emulator.support import API, CONTROL, ApiTarget, control_headers, step

TASK_FIELDS = {
    "id",
    "stepIdentifier",
    "activity",
    "status",
    "input",
    "result",
    "isRetry",
    "isCompensation",
    "executionTime",
    "startedAt",
    "lastUpdatedAt",
}
URGENT = {"ticket": {"priority": "urgent", "title": "Checkout down"}, "ticketId": "T-1"}


def _executions(api: ApiTarget, workflow_id: str) -> list[dict[str, Any]]:
    response = api.http.get(f"{API}/executions", params={"workflowId": workflow_id})
    assert response.status_code == 200, response.text
    runs: list[dict[str, Any]] = response.json()
    return runs


def _tasks(api: ApiTarget, execution_id: str) -> list[dict[str, Any]]:
    response = api.http.get(f"{API}/{execution_id}/tasks")
    assert response.status_code == 200, response.text
    tasks: list[dict[str, Any]] = response.json()
    return sorted(tasks, key=lambda task: task["startedAt"])


def _page(api: ApiTarget, **fields: Any) -> dict[str, Any]:
    """A two-step workflow on ticket:created: post a message, then leave a note."""
    definition = [
        step(
            1,
            "slack:send-message",
            input={"text": "{{context.event.message.payload.ticket.title}}"},
        ),
        step(2, "tickets:add-comment-platform", dependencies=["1"]),
    ]
    return api.create(workflowDefinition=definition, **fields)


def test_an_event_runs_each_matching_workflow_and_lists_the_others_with_why(
    api: ApiTarget, emulator: EmulatorHandle
) -> None:
    urgent = _page(api, filters={"ticket.priority": {"~eq": "urgent"}})
    high = _page(api, filters={"ticket.priority": {"~eq": "high"}})
    other_event = api.create(triggerEvent="ticket:updated")
    fired = emulator.control.fire_event("ticket:created", URGENT)
    assert [run["workflowId"] for run in fired["executions"]] == [urgent["uniqueIdentifier"]]
    why = {item["workflowId"]: item["why"] for item in fired["notTriggered"]}
    assert why[high["uniqueIdentifier"]] == [
        "filters.ticket.priority.~eq: expected 'high', got 'urgent'"
    ]
    assert why[other_event["uniqueIdentifier"]][0].startswith("triggerEvent: the workflow triggers")
    assert fired["event"]["message"] == {"payload": URGENT}
    assert _executions(api, high["uniqueIdentifier"]) == []


def test_the_execution_and_its_tasks_are_listed_by_the_api(
    api: ApiTarget, emulator: EmulatorHandle
) -> None:
    workflow = _page(api)
    [fired] = emulator.control.fire_event("ticket:created", URGENT)["executions"]
    [listed] = _executions(api, workflow["uniqueIdentifier"])
    assert listed["id"] == fired["id"] and listed["version"] == 1
    assert listed["status"] == "FINISHED" and listed["status"] in EXECUTION_STATUSES
    assert listed["context"]["event"]["message"]["payload"] == URGENT
    assert listed["startedAt"] <= listed["lastUpdatedAt"]
    tasks = _tasks(api, fired["id"])
    assert [set(task) for task in tasks] == [TASK_FIELDS, TASK_FIELDS]
    assert [(t["stepIdentifier"], t["activity"], t["status"]) for t in tasks] == [
        (1, "slack:send-message", "FINISHED"),
        (2, "tickets:add-comment-platform", "FINISHED"),
    ]
    assert tasks[0]["input"] == {"text": "Checkout down"}  # the template, resolved
    assert tasks[0]["startedAt"] < tasks[1]["startedAt"]  # in the order they ran


def test_an_event_named_by_its_registry_uid_runs_the_same_workflows(
    api: ApiTarget, emulator: EmulatorHandle
) -> None:
    workflow = _page(api)
    uid = workflow["triggerEvent"]["uid"]
    [run] = emulator.control.fire_event(uid, URGENT)["executions"]
    assert run["workflowId"] == workflow["uniqueIdentifier"]
    assert run["context"]["event"]["name"] == "ticket:created"


def test_an_inactive_workflow_does_not_run(api: ApiTarget, emulator: EmulatorHandle) -> None:
    workflow = _page(api)
    api.http.post(f"{API}/{workflow['uniqueIdentifier']}/toggle")
    fired = emulator.control.fire_event("ticket:created", URGENT)
    assert fired["executions"] == []
    [passed_over] = fired["notTriggered"]
    assert passed_over["why"] == ["isActive: the workflow is inactive, so no event triggers it"]


def test_the_current_version_runs(api: ApiTarget, emulator: EmulatorHandle) -> None:
    workflow = _page(api)
    identifier = workflow["uniqueIdentifier"]
    patched = api.http.patch(f"{API}/{identifier}", json={"filters": {"ticketId": {"~eq": "T-9"}}})
    assert patched.status_code == 200
    assert emulator.control.fire_event("ticket:created", URGENT)["executions"] == []
    [run] = emulator.control.fire_event("ticket:created", {"ticketId": "T-9"})["executions"]
    assert run["version"] == 2


def test_failures_make_retries_and_compensations(api: ApiTarget, emulator: EmulatorHandle) -> None:
    undo = {"activity": {"uniqueIdentifier": "http:webhook"}, "input": {"undo": True}}
    definition = [
        step(1, compensationActivity=undo),
        step(
            2,
            dependencies=["1"],
            retryPolicy={"maximumAttempts": 2},
            onFailure="COMPENSATE",
        ),
    ]
    workflow = api.create(workflowDefinition=definition)
    [run] = emulator.control.fire_event("ticket:created", {}, failures={"2": None})["executions"]
    assert run["status"] == "FAILED"
    tasks = _tasks(api, run["id"])
    assert [
        (t["stepIdentifier"], t["status"], t["isRetry"], t["isCompensation"]) for t in tasks
    ] == [
        (1, "FINISHED", False, False),
        (2, "FAILED", False, False),
        (2, "FAILED", True, False),
        (1, "FINISHED", False, True),
    ]
    assert tasks[-1]["input"] == {"undo": True}
    assert _executions(api, workflow["uniqueIdentifier"])[0]["status"] == "FAILED"


def test_a_failure_count_fails_only_the_first_attempts(
    api: ApiTarget, emulator: EmulatorHandle
) -> None:
    api.create(workflowDefinition=[step(1, retryPolicy={"maximumAttempts": 3})])
    [run] = emulator.control.fire_event("ticket:created", {}, failures={"1": 2})["executions"]
    assert run["status"] == "FINISHED"
    assert [t["status"] for t in _tasks(api, run["id"])] == ["FAILED", "FAILED", "FINISHED"]


def test_results_are_read_by_later_steps(api: ApiTarget, emulator: EmulatorHandle) -> None:
    definition = [
        step(1),
        step(2, dependencies=["1"], input={"url": "{{context.steps.1.result.url}}"}),
    ]
    api.create(workflowDefinition=definition)
    results = {"1": {"url": "https://t/1"}}
    [run] = emulator.control.fire_event("ticket:created", {}, results=results)["executions"]
    tasks = _tasks(api, run["id"])
    assert tasks[0]["result"] == {"url": "https://t/1"}
    assert tasks[1]["input"] == {"url": "https://t/1"}


def test_entities_are_placed_where_annotations_load_them(
    api: ApiTarget, emulator: EmulatorHandle
) -> None:
    annotation = {
        "entityType": "Ticket",
        "requiredFields": {"ticketId": "{{context.event.message.payload.ticketId}}"},
        "pathToAnnotate": "context.event.message.payload.ticket",
    }
    _page(api, annotations=[annotation], filters={"ticket.priority": {"~eq": "urgent"}})
    entities = {"Ticket": {"priority": "urgent", "title": "Loaded"}}
    fired = emulator.control.fire_event("ticket:created", {"ticketId": "T-2"}, entities=entities)
    [run] = fired["executions"]
    assert run["tasks"][0]["input"] == {"text": "Loaded"}


APPROVAL = {"type": "USER", "uid": "user-1", "timeout": 600}


def _approval_workflow(api: ApiTarget, on_failure: str = "ABORT") -> dict[str, Any]:
    definition = [
        step(1),
        step(
            2,
            dependencies=["1"],
            requireApproval=True,
            approver=APPROVAL,
            onFailure=on_failure,
        ),
        step(3, dependencies=["2"]),
    ]
    return api.create(workflowDefinition=definition)


def test_an_approval_waits_until_it_is_approved(api: ApiTarget, emulator: EmulatorHandle) -> None:
    workflow = _approval_workflow(api)
    [run] = emulator.control.fire_event("ticket:created", {})["executions"]
    assert run["status"] == "SUSPENDED"
    assert [(w["stepIdentifier"], w["kind"], w["approver"]) for w in run["waits"]] == [
        (2, "approval", APPROVAL)
    ]
    waiting = _tasks(api, run["id"])
    assert [t["status"] for t in waiting] == ["FINISHED", "AWAITING_USER_INPUT"]
    assert _executions(api, workflow["uniqueIdentifier"])[0]["status"] == "SUSPENDED"

    resolved = emulator.control.resolve(run["id"], 2, "approve")
    assert resolved["status"] == "FINISHED" and resolved["waits"] == []
    tasks = _tasks(api, run["id"])
    assert [(t["stepIdentifier"], t["status"]) for t in tasks] == [
        (1, "FINISHED"),
        (2, "FINISHED"),
        (3, "FINISHED"),
    ]
    assert tasks[1]["id"] == waiting[1]["id"]  # the waiting task finished; no second task
    assert tasks[1]["lastUpdatedAt"] > waiting[1]["lastUpdatedAt"]
    assert _executions(api, workflow["uniqueIdentifier"])[0]["status"] == "FINISHED"


def test_a_rejected_approval_is_unauthorized_and_aborts(
    api: ApiTarget, emulator: EmulatorHandle
) -> None:
    _approval_workflow(api)
    [run] = emulator.control.fire_event("ticket:created", {})["executions"]
    resolved = emulator.control.resolve(run["id"], "2", "reject")
    assert resolved["status"] == "FAILED"
    assert [(t["stepIdentifier"], t["status"]) for t in _tasks(api, run["id"])] == [
        (1, "FINISHED"),
        (2, "UNAUTHORIZED"),
    ]


def test_a_sleep_waits_until_it_is_woken(api: ApiTarget, emulator: EmulatorHandle) -> None:
    definition = [
        step(1),
        step(
            2,
            "workflows:sleep-platform",
            dependencies=["1"],
            isSleepActivity=True,
            input={"duration": 900},
        ),
        step(3, dependencies=["2"]),
    ]
    api.create(workflowDefinition=definition)
    [run] = emulator.control.fire_event("ticket:created", {})["executions"]
    assert run["status"] == "SUSPENDED"
    assert [(w["kind"], w["duration"]) for w in run["waits"]] == [("sleep", 900)]
    assert [t["status"] for t in _tasks(api, run["id"])] == ["FINISHED", "STARTED"]
    assert emulator.control.resolve(run["id"], 2, "wake")["status"] == "FINISHED"
    assert all(t["status"] in TASK_STATUSES for t in _tasks(api, run["id"]))
    assert [t["status"] for t in _tasks(api, run["id"])] == ["FINISHED"] * 3


def test_resolving_what_does_not_wait_is_refused(api: ApiTarget, emulator: EmulatorHandle) -> None:
    _approval_workflow(api)
    [run] = emulator.control.fire_event("ticket:created", {})["executions"]
    http = httpx.Client(base_url=api.base_url, headers=control_headers(api.key))

    def resolve(execution: str, body: Any) -> httpx.Response:
        return http.post(f"{CONTROL}/executions/{execution}/resolve", json=body)

    cases = [
        (run["id"], {"step": 3, "decision": "approve"}, 400, "step 3 is not waiting"),
        (run["id"], {"step": 2, "decision": "wake"}, 400, "waits for approval"),
        (run["id"], {"step": 2, "decision": "maybe"}, 400, "decision must be one of"),
        (run["id"], {"decision": "approve"}, 400, "step should not be empty"),
        (run["id"], {"step": 2, "decision": "approve", "x": 1}, 400, "property x should not"),
        ("01ZZZZZZZZZZZZZZZZZZZZZZZZ", {"step": 2, "decision": "approve"}, 404, "not found"),
    ]
    with http:
        for execution, body, status, message in cases:
            response = resolve(execution, body)
            assert response.status_code == status, (body, response.text)
            assert message in str(response.json()["message"]), (body, response.text)
        seeded = emulator.control.seed(executions=[{"workflowId": "wf-1"}])["executions"][0]
        response = resolve(seeded["id"], {"step": 1, "decision": "approve"})
        assert response.status_code == 400 and "was seeded" in response.json()["message"][0]
    assert emulator.control.resolve(run["id"], 2, "approve")["status"] == "FINISHED"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"payload": {}}, "eventName should not be empty"),
        ({"eventName": "ticket:craeted"}, "eventName 'ticket:craeted' is not a registered event"),
        ({"eventName": "ticket:created", "payload": [1]}, "payload must be an object"),
        ({"eventName": "ticket:created", "failures": {"1": -1}}, "failures.1 must be a whole"),
        ({"eventName": "ticket:created", "failures": {"1": "twice"}}, "failures.1 must be a whole"),
        ({"eventName": "ticket:created", "decisions": {}}, "property decisions should not exist"),
        ([], "the body must be a JSON object"),
    ],
)
def test_a_bad_event_is_a_400_and_runs_nothing(
    api: ApiTarget, emulator: EmulatorHandle, body: Any, message: str
) -> None:
    workflow = _page(api)
    response = api.http.post(f"{CONTROL}/events", json=body)
    assert response.status_code == 400
    assert any(message in line for line in response.json()["message"]), response.text
    assert _executions(api, workflow["uniqueIdentifier"]) == []


def test_the_event_routes_are_guarded_like_the_other_controls(emulator: EmulatorHandle) -> None:
    body = {"eventName": "ticket:created"}
    with httpx.Client(base_url=emulator.base_url) as http:
        assert http.post(f"{CONTROL}/events", json=body).status_code == 401
        headers = {**control_headers(emulator.api_key), "Content-Type": "text/plain"}
        response = http.post(f"{CONTROL}/events", content=b'{"eventName": "x"}', headers=headers)
        assert response.status_code == 415
        resolve = f"{CONTROL}/executions/x/resolve"
        assert http.post(resolve, json={"step": 1, "decision": "approve"}).status_code == 401


def test_the_control_client_says_what_the_emulator_refused(emulator: EmulatorHandle) -> None:
    with pytest.raises(httpx.HTTPStatusError, match="answered 400: eventName 'nope' is not"):
        emulator.control.fire_event("nope")


def test_reset_forgets_the_runs(api: ApiTarget, emulator: EmulatorHandle) -> None:
    _approval_workflow(api)
    [run] = emulator.control.fire_event("ticket:created", {})["executions"]
    emulator.control.reset()
    with pytest.raises(httpx.HTTPStatusError, match="answered 404"):
        emulator.control.resolve(run["id"], 2, "approve")


def test_a_waiting_execution_survives_a_restart_with_a_state_file(tmp_path: Path) -> None:
    state_file = tmp_path / "emulator.json"
    definition = [
        step(1, requireApproval=True, approver=APPROVAL),
        step(2, dependencies=["1"]),
    ]
    body = {
        "name": "approve me",
        "triggerEvent": "ticket:created",
        "executingAgent": "agent",
        "workflowDefinition": definition,
    }
    with EmulatorServer(state_file=state_file) as server:
        control = EmulatorControl(server.base_url, server.api_key)
        control.seed(workflows=[body])
        [run] = control.fire_event("ticket:created", {})["executions"]
        control.close()
    with EmulatorServer(state_file=state_file) as server:
        control = EmulatorControl(server.base_url, server.api_key)
        resolved = control.resolve(run["id"], 1, "approve")
        control.close()
    assert resolved["status"] == "FINISHED"
    assert [t["id"] for t in resolved["tasks"]] == [
        run["tasks"][0]["id"],
        resolved["tasks"][1]["id"],
    ]
    assert resolved["tasks"][1]["stepIdentifier"] == 2
