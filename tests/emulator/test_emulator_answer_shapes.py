"""Answer shapes: ``request`` echoes what was stored; ``documented`` shows steps as docs/api.md
section 8 does (U-22), with the server defaults; requests take every approver shape (U-23).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.testing import EmulatorHandle
from tests.emulator.support import API, ApiTarget, step

FORBIDDEN_IN_DOCUMENTED = {"requireApproval", "approverType", "approvalTimeout"}
DEFAULT_RETRY = {"maximumAttempts": 1, "initialInterval": 1, "backoffCoefficient": 2}

PLAIN = {"stepIdentifier": 1, "activity": {"uniqueIdentifier": "tickets:create-ticket-platform"}}
PLAIN_DOCUMENTED = {
    "stepIdentifier": 1,
    "activity": {
        "name": "Create ticket",
        "uniqueIdentifier": "tickets:create-ticket-platform",
        "version": 3,  # the registry's latest
        "autoUpgradeToLatestVersion": True,
    },
    "input": {},
    "retryPolicy": DEFAULT_RETRY,
    "onFailure": "ABORT",
    "isSleepActivity": False,
    "executionTimeout": 300,
    "approver": {},
    "dependencies": [],
    "filters": {},
    "compensationActivity": {},
}

FULL = {
    "stepIdentifier": 2,
    "activity": {
        "uniqueIdentifier": "http:webhook",
        "version": 1,
        "autoUpgradeToLatestVersion": False,
    },
    "input": {"url": "https://example.invalid"},
    "retryPolicy": {"maximumAttempts": 3},
    "onFailure": "COMPENSATE",
    "executionTimeout": 60,
    "isSleepActivity": False,
    "dependencies": [1],
    "requireApproval": True,
    "approverType": "TEAM",
    "approver": "team-7",
    "approvalTimeout": 600,
    "filters": {"ticket.priority": {"~eq": "high"}},
    "compensationActivity": {
        "activity": {"uniqueIdentifier": "slack:send-message"},
        "input": {"text": "undo"},
    },
}
FULL_DOCUMENTED = {
    "stepIdentifier": 2,
    "activity": {
        "name": "Call a webhook",
        "uniqueIdentifier": "http:webhook",
        "version": 1,
        "autoUpgradeToLatestVersion": False,
    },
    "input": {"url": "https://example.invalid"},
    "retryPolicy": {"maximumAttempts": 3, "initialInterval": 1, "backoffCoefficient": 2},
    "onFailure": "COMPENSATE",
    "isSleepActivity": False,
    "executionTimeout": 60,
    "approver": {"type": "TEAM", "uid": "team-7", "timeout": 600},
    "dependencies": ["1"],
    "filters": {"ticket.priority": {"~eq": "high"}},
    "compensationActivity": {
        "activity": {
            "name": "Send Slack message",
            "uniqueIdentifier": "slack:send-message",
            "version": 2,
            "autoUpgradeToLatestVersion": True,
        },
        "input": {"text": "undo"},
    },
}

APPROVERS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    # the older string form, its type and timeout beside it
    (
        {"approverType": "TEAM", "approver": "team-7", "approvalTimeout": 600},
        {"type": "TEAM", "uid": "team-7", "timeout": 600},
    ),
    ({"approver": "user-1"}, {"type": "USER", "uid": "user-1", "timeout": 86400}),
    # our files' {type, id} with approvalTimeout
    (
        {"approver": {"type": "USER", "id": "user-2"}, "approvalTimeout": 30},
        {"type": "USER", "uid": "user-2", "timeout": 30},
    ),
    ({"approver": {"id": "user-3"}}, {"type": "USER", "uid": "user-3", "timeout": 86400}),
    # the documented {type, uid, timeout}
    (
        {"approver": {"type": "TEAM", "uid": "team-9", "timeout": 120}},
        {"type": "TEAM", "uid": "team-9", "timeout": 120},
    ),
    ({"approver": {}}, {}),
    ({}, {}),
]


def _walk_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for item in value.values() for k in _walk_keys(item)}
    if isinstance(value, list):
        return {k for item in value for k in _walk_keys(item)}
    return set()


@pytest.mark.thena_emulator(response_shape="documented")
def test_documented_steps_fill_every_server_default(
    api: ApiTarget, emulator: EmulatorHandle
) -> None:
    created = api.create(workflowDefinition=[PLAIN, FULL])
    assert created["workflowDefinition"] == [PLAIN_DOCUMENTED, FULL_DOCUMENTED]
    assert list(created["workflowDefinition"][0]) == list(PLAIN_DOCUMENTED)  # the sample's order
    assert not _walk_keys(created) & FORBIDDEN_IN_DOCUMENTED


@pytest.mark.thena_emulator(response_shape="documented")
@pytest.mark.parametrize(("sent", "shown"), APPROVERS)
def test_every_approver_shape_is_shown_as_type_uid_timeout(
    api: ApiTarget, emulator: EmulatorHandle, sent: dict[str, Any], shown: dict[str, Any]
) -> None:
    approval = {"requireApproval": True} if sent else {}
    created = api.create(workflowDefinition=[{**PLAIN, **approval, **sent}])
    assert created["workflowDefinition"][0]["approver"] == shown


@pytest.mark.parametrize(("sent", "shown"), APPROVERS)
def test_requests_take_every_approver_shape_and_echo_it(
    api: ApiTarget, emulator: EmulatorHandle, sent: dict[str, Any], shown: dict[str, Any]
) -> None:
    approval = {"requireApproval": True} if sent else {}
    sent_step = {**PLAIN, **approval, **sent}
    assert api.create(workflowDefinition=[sent_step])["workflowDefinition"] == [sent_step]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"approver": {"type": "GROUP", "uid": "g"}}, "approver.type must be one of"),
        ({"approver": {"type": "USER"}}, "workflowDefinition.0.approver.uid should not be empty"),
        ({"approver": {"uid": "u", "name": "x"}}, "property workflowDefinition.0.approver.name"),
        ({"approver": {"uid": "u", "timeout": "1h"}}, "approver.timeout must be a number"),
        ({"approver": ""}, "workflowDefinition.0.approver should not be empty"),
        ({"approver": 7}, "approver must be a string or an object"),
        ({"approverType": "ADMIN", "approver": "u"}, "approverType must be one of"),
    ],
)
def test_bad_approvers_are_400(
    api: ApiTarget, emulator: EmulatorHandle, fields: dict[str, Any], expected: str
) -> None:
    body = api.body(workflowDefinition=[{**PLAIN, "requireApproval": True, **fields}])
    response = api.http.post(API, json=body)
    assert response.status_code == 400
    assert any(expected in message for message in response.json()["message"])


def test_an_approver_needs_require_approval(api: ApiTarget, emulator: EmulatorHandle) -> None:
    body = api.body(workflowDefinition=[{**PLAIN, "approver": {"uid": "u"}}])
    response = api.http.post(API, json=body)
    assert response.json()["message"] == [
        "workflowDefinition.0.requireApproval must be true when an approver is given"
    ]


@pytest.mark.thena_emulator(response_shape="documented")
def test_every_workflow_answer_is_documented(api: ApiTarget, emulator: EmulatorHandle) -> None:
    created = api.create(workflowDefinition=[PLAIN])
    path = f"{API}/{created['uniqueIdentifier']}"
    answers = [
        created,
        api.http.get(path).json(),
        api.http.get(path, params={"version": 1}).json(),
        api.http.get(API).json()[0],
        api.http.patch(path, json={"workflowDefinition": [PLAIN]}).json(),
        api.http.post(f"{path}/toggle").json(),
        api.http.delete(path).json(),
    ]
    for answer in answers:
        assert answer["workflowDefinition"] == [PLAIN_DOCUMENTED]


def test_switching_the_shape_at_run_time_keeps_what_was_stored(
    api: ApiTarget, emulator: EmulatorHandle
) -> None:
    created = api.create(workflowDefinition=[PLAIN, FULL])
    path = f"{API}/{created['uniqueIdentifier']}"
    emulator.control.configure(response_shape="documented")
    assert api.http.get(path).json()["workflowDefinition"] == [PLAIN_DOCUMENTED, FULL_DOCUMENTED]
    [stored] = emulator.control.workflows()
    assert stored["workflowDefinition"] == [PLAIN, FULL]  # control routes show the store
    emulator.control.configure(response_shape="request")
    assert api.http.get(path).json() == created


@pytest.mark.thena_emulator(response_shape="documented")
def test_the_version_shown_follows_the_registry(api: ApiTarget, emulator: EmulatorHandle) -> None:
    created = api.create(workflowDefinition=[PLAIN])
    emulator.control.seed(
        activities=[
            {"uniqueIdentifier": "tickets:create-ticket-platform", "version": 4, "name": "New"}
        ]
    )
    shown = api.http.get(f"{API}/{created['uniqueIdentifier']}").json()
    assert shown["workflowDefinition"][0]["activity"]["version"] == 4
    assert shown["workflowDefinition"][0]["activity"]["name"] == "New"


def test_a_state_file_serves_either_shape(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    body = {
        "name": "stored",
        "triggerEvent": "ticket:created",
        "executingAgent": "agent",
        "workflowDefinition": [PLAIN, FULL],
    }
    with EmulatorServer(state_file=state, response_shape="documented") as server:
        headers = {"x-api-key": server.api_key}
        created = httpx.post(f"{server.base_url}{API}", json=body, headers=headers).json()
        assert created["workflowDefinition"] == [PLAIN_DOCUMENTED, FULL_DOCUMENTED]
    with EmulatorServer(state_file=state) as server:
        url = f"{server.base_url}{API}/{created['uniqueIdentifier']}"
        shown = httpx.get(url, headers={"x-api-key": server.api_key}).json()
        assert shown["workflowDefinition"] == [PLAIN, FULL]


def test_request_shape_echoes_steps_as_sent(api: ApiTarget, emulator: EmulatorHandle) -> None:
    sent = [step(1), {**FULL, "dependencies": ["1"]}]
    assert api.create(workflowDefinition=sent)["workflowDefinition"] == sent
