"""Contract: 400 for each validation rule of create (E2) and update (E11), naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.support import API, ApiTarget, step

MISSING = object()


def _pinned(activity: str = "http:webhook") -> dict[str, Any]:
    return {"uniqueIdentifier": activity, "autoUpgradeToLatestVersion": False}


CREATE_CASES: list[tuple[str, Any, str]] = [
    ("name", MISSING, "name should not be empty"),
    ("name", "", "name should not be empty"),
    ("name", 5, "name must be a string"),
    ("triggerEvent", MISSING, "triggerEvent should not be empty"),
    ("triggerEvent", "no:such:event", "triggerEvent 'no:such:event'"),
    ("triggerEvent", 7, "triggerEvent must be a string"),
    ("workflowDefinition", MISSING, "workflowDefinition should not be empty"),
    ("workflowDefinition", [], "workflowDefinition should not be empty"),
    ("workflowDefinition", "steps", "workflowDefinition must be an array"),
    ("executingAgent", MISSING, "executingAgent should not be empty"),
    ("executingAgent", "", "executingAgent should not be empty"),
    ("type", "", "type should not be empty"),
    ("subType", 3, "subType must be a string"),
    ("colour", "blue", "property colour should not exist"),
    ("filters", "x", "filters must be an object"),
    ("annotations", "x", "annotations must be an array"),
    ("annotations", [{"entityType": "Ticket"}], "annotations.0.requiredFields"),
    ("teamId", 5, "teamId must be a string"),
    ("metadata", [], "metadata must be an object"),
]

STEP_CASES: list[tuple[list[dict[str, Any]], str]] = [
    (
        [{"stepIdentifier": 1, "activity": {"uniqueIdentifier": ""}}],
        "workflowDefinition.0.activity.uniqueIdentifier should not be empty",
    ),
    ([{"activity": {"uniqueIdentifier": "http:webhook"}}], "workflowDefinition.0.stepIdentifier"),
    ([step(1), {"stepIdentifier": "two", "activity": {}}], "workflowDefinition.1.stepIdentifier"),
    ([step(1, onFailure="EXPLODE")], "workflowDefinition.0.onFailure"),
    ([step(1, colour="blue")], "property workflowDefinition.0.colour should not exist"),
    ([step(1, step_identifier=1)], "property workflowDefinition.0.step_identifier"),
    ([step(1), step(1)], "workflowDefinition.1.stepIdentifier"),
    ([step(1, dependencies=["9"])], "workflowDefinition.0.dependencies.0"),
    ([step(1, dependencies=["2"]), step(2, dependencies=["1"])], "cycle"),
    (
        [{**step(1), "activity": _pinned()}],
        "workflowDefinition.0.activity.version should not be empty",
    ),
    (
        [step(1, compensationActivity={"activity": _pinned()})],
        "workflowDefinition.0.compensationActivity.activity.version",
    ),
    ([step(1, "no:such-activity")], "workflowDefinition.0.activity.uniqueIdentifier"),
    (
        [step(1, compensationActivity={"activity": {"uniqueIdentifier": "no:such-activity"}})],
        "workflowDefinition.0.compensationActivity.activity.uniqueIdentifier",
    ),
]


def _assert_bad_request(response: Any, expected: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["statusCode"] == 400 and body["error"] == "Bad Request"
    assert isinstance(body["message"], list)
    assert any(expected in message for message in body["message"]), body["message"]


@pytest.mark.parametrize(("field", "value", "expected"), CREATE_CASES)
def test_create_rejects(api: ApiTarget, field: str, value: Any, expected: str) -> None:
    body = api.body()
    if value is MISSING:
        del body[field]
    else:
        body[field] = value
    _assert_bad_request(api.http.post(API, json=body), expected)


@pytest.mark.parametrize(("steps", "expected"), STEP_CASES)
def test_create_rejects_step(api: ApiTarget, steps: list[dict[str, Any]], expected: str) -> None:
    _assert_bad_request(api.http.post(API, json=api.body(workflowDefinition=steps)), expected)


def test_pinned_version_is_accepted(api: ApiTarget) -> None:
    pinned = {**step(1), "activity": {**_pinned(), "version": 1}}
    assert api.create(workflowDefinition=[pinned])["workflowDefinition"] == [pinned]


def test_rejected_create_stores_nothing(api: ApiTarget) -> None:
    team = api.team("team-rejected")
    body = api.body(teamId=team, workflowDefinition=[])
    assert api.http.post(API, json=body).status_code == 400
    assert body["name"] not in api.names_in_team(team)


@pytest.mark.parametrize("raw", [b"[]", b'"text"', b"{not json"])
def test_create_rejects_a_body_that_is_not_an_object(api: ApiTarget, raw: bytes) -> None:
    response = api.http.post(API, content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400


UPDATE_CASES: list[tuple[dict[str, Any], str]] = [
    ({}, "at least one field"),
    ({"type": "MANUAL"}, "property type should not exist"),
    ({"subType": "AI_AGENT"}, "property subType should not exist"),
    ({"colour": "blue"}, "property colour should not exist"),
    ({"name": ""}, "name should not be empty"),
    ({"triggerEvent": "no:such:event"}, "triggerEvent"),
    ({"workflowDefinition": []}, "workflowDefinition should not be empty"),
    ({"workflowDefinition": [step(1, dependencies=["4"])]}, "workflowDefinition.0.dependencies.0"),
    ({"executingAgent": 1}, "executingAgent must be a string"),
]


@pytest.mark.parametrize(("body", "expected"), UPDATE_CASES)
def test_update_rejects(api: ApiTarget, body: dict[str, Any], expected: str) -> None:
    created = api.create()
    path = f"{API}/{created['uniqueIdentifier']}"
    _assert_bad_request(api.http.patch(path, json=body), expected)
    assert api.http.get(path).json() == created  # nothing applied, no new version
