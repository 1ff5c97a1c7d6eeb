"""Contract: the workflow lifecycle (E2 create, E8 get, E11 update, E10 toggle, E3 delete).

Runs against the emulator by default and unchanged against a live org (see conftest).
"""

from __future__ import annotations

import re
from datetime import datetime

from tests.emulator.support import API, ApiTarget, step

CROCKFORD_ID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")


def _parse(stamp: str) -> datetime:
    assert stamp.endswith("Z"), stamp
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def test_create_returns_version_1_with_server_fields(api: ApiTarget) -> None:
    workflow = api.create()
    assert workflow["version"] == 1
    assert workflow["isActive"] is True
    assert workflow["uid"] != workflow["uniqueIdentifier"]
    if not api.live:
        assert CROCKFORD_ID.fullmatch(workflow["uid"])
        assert CROCKFORD_ID.fullmatch(workflow["uniqueIdentifier"])
    assert _parse(workflow["createdAt"]) == _parse(workflow["updatedAt"])
    assert isinstance(workflow["createdBy"], str) and workflow["createdBy"]


def test_create_resolves_trigger_event_to_registry_object(api: ApiTarget) -> None:
    events = api.http.get(f"{API}/registry/events").json()
    event = events[0]
    workflow = api.create(triggerEvent=event["uid"])
    trigger = workflow["triggerEvent"]
    assert trigger["uid"] == event["uid"]
    assert trigger["eventName"] == event["eventName"]
    assert {"description", "source", "schema", "metadata"} <= set(trigger)


def test_create_accepts_event_name_as_trigger(api: ApiTarget) -> None:
    event = api.http.get(f"{API}/registry/events").json()[0]
    workflow = api.create(triggerEvent=event["eventName"])
    assert workflow["triggerEvent"]["uid"] == event["uid"]


def test_create_stores_fields_verbatim_with_documented_defaults(api: ApiTarget) -> None:
    steps = [step(1), step(2, dependencies=["1"])]
    workflow = api.create(workflowDefinition=steps)
    assert workflow["workflowDefinition"] == steps  # no model defaults filled in
    assert (workflow["type"], workflow["subType"]) == ("MANUAL", "WORKFLOW")
    assert workflow["filters"] == {}
    assert workflow["annotations"] == []
    assert "metadata" not in workflow


def test_create_keeps_optional_fields(api: ApiTarget) -> None:
    annotation = {
        "entityType": "Ticket",
        "requiredFields": {"ticketId": "{{context.event.message.payload.ticketId}}"},
        "relations": ["account"],
        "pathToAnnotate": "context.event.message.payload.ticket",
    }
    fields = {
        "type": "MANUAL",
        "subType": "AI_AGENT",
        "filters": {"{{context.name}}": {"~starts": "T"}},
        "annotations": [annotation],
        "teamId": api.team("team-probe"),
        "metadata": {"owner": "probe"},
    }
    workflow = api.create(**fields)
    assert {key: workflow[key] for key in fields} == fields


def test_create_ignores_is_active(api: ApiTarget) -> None:
    assert api.create(isActive=False)["isActive"] is True


def test_get_returns_the_current_version(api: ApiTarget) -> None:
    created = api.create()
    response = api.http.get(f"{API}/{created['uniqueIdentifier']}")
    assert response.status_code == 200
    assert response.json() == created


def test_get_unknown_workflow_is_404(api: ApiTarget) -> None:
    response = api.http.get(f"{API}/01ZZZZZZZZZZZZZZZZZZZZZZZZ")
    assert response.status_code == 404
    body = response.json()
    assert body["statusCode"] == 404 and body["error"] == "Not Found"
    assert isinstance(body["message"], str)


def test_patch_creates_a_new_version_with_a_new_uid(api: ApiTarget) -> None:
    created = api.create()
    path = f"{API}/{created['uniqueIdentifier']}"
    response = api.http.patch(path, json={"name": created["name"] + "-v2"})
    assert response.status_code == 200
    updated = response.json()
    assert updated["version"] == 2
    assert updated["uid"] != created["uid"]
    assert updated["uniqueIdentifier"] == created["uniqueIdentifier"]
    assert updated["createdAt"] == created["createdAt"]
    assert _parse(updated["updatedAt"]) > _parse(created["updatedAt"])
    assert api.http.get(path).json() == updated


def test_patch_bumps_the_version_even_without_a_change(api: ApiTarget) -> None:
    created = api.create()
    path = f"{API}/{created['uniqueIdentifier']}"
    api.http.patch(path, json={"name": created["name"]})
    assert api.http.patch(path, json={"name": created["name"]}).json()["version"] == 3


def test_older_versions_stay_readable(api: ApiTarget) -> None:
    created = api.create()
    path = f"{API}/{created['uniqueIdentifier']}"
    api.http.patch(path, json={"executingAgent": "someone-else"})
    old = api.http.get(path, params={"version": 1})
    assert old.status_code == 200
    assert old.json()["uid"] == created["uid"]
    assert old.json()["executingAgent"] == "probe-agent"
    assert api.http.get(path, params={"version": 2}).json()["executingAgent"] == "someone-else"


def test_missing_version_is_404(api: ApiTarget) -> None:
    created = api.create()
    response = api.http.get(f"{API}/{created['uniqueIdentifier']}", params={"version": 9})
    assert response.status_code == 404


def test_patch_replaces_top_level_fields_wholesale(api: ApiTarget) -> None:
    created = api.create(
        workflowDefinition=[step(1), step(2, dependencies=["1"])],
        metadata={"a": 1, "b": {"c": 2}},
    )
    path = f"{API}/{created['uniqueIdentifier']}"
    updated = api.http.patch(
        path, json={"workflowDefinition": [step(5)], "metadata": {"b": {"d": 3}}}
    ).json()
    assert updated["workflowDefinition"] == [step(5)]
    assert updated["metadata"] == {"b": {"d": 3}}  # no deep merge
    assert updated["name"] == created["name"]  # fields left out are unchanged
    assert updated["triggerEvent"] == created["triggerEvent"]


def test_patch_ignores_is_active(api: ApiTarget) -> None:
    created = api.create()
    path = f"{API}/{created['uniqueIdentifier']}"
    response = api.http.patch(path, json={"isActive": False, "executingAgent": "x"})
    assert response.status_code == 200
    assert response.json()["isActive"] is True


def test_patch_trigger_event_resolves_again(api: ApiTarget) -> None:
    events = api.http.get(f"{API}/registry/events").json()
    created = api.create(triggerEvent=events[0]["uid"])
    path = f"{API}/{created['uniqueIdentifier']}"
    updated = api.http.patch(path, json={"triggerEvent": events[1]["uid"]}).json()
    assert updated["triggerEvent"]["eventName"] == events[1]["eventName"]


def test_patch_unknown_workflow_is_404(api: ApiTarget) -> None:
    response = api.http.patch(f"{API}/01ZZZZZZZZZZZZZZZZZZZZZZZZ", json={"name": "x"})
    assert response.status_code == 404


def test_toggle_flips_is_active_and_keeps_the_version(api: ApiTarget) -> None:
    created = api.create()
    path = f"{API}/{created['uniqueIdentifier']}/toggle"
    off = api.http.post(path)
    assert off.status_code == 200
    assert off.json()["isActive"] is False
    assert (off.json()["version"], off.json()["uid"]) == (1, created["uid"])
    assert _parse(off.json()["updatedAt"]) > _parse(created["updatedAt"])
    assert api.http.post(path).json()["isActive"] is True


def test_toggle_ignores_any_body(api: ApiTarget) -> None:
    created = api.create()
    path = f"{API}/{created['uniqueIdentifier']}/toggle"
    assert api.http.post(path, json={"isActive": True}).json()["isActive"] is False
    assert api.http.post(path, json={"isActive": True}).json()["isActive"] is True


def test_patch_after_toggle_carries_is_active_over(api: ApiTarget) -> None:
    created = api.create()
    path = f"{API}/{created['uniqueIdentifier']}"
    api.http.post(f"{path}/toggle")
    updated = api.http.patch(path, json={"executingAgent": "x"}).json()
    assert (updated["isActive"], updated["version"]) == (False, 2)


def test_toggle_unknown_workflow_is_404(api: ApiTarget) -> None:
    assert api.http.post(f"{API}/01ZZZZZZZZZZZZZZZZZZZZZZZZ/toggle").status_code == 404


def test_delete_returns_the_workflow_and_removes_it(api: ApiTarget) -> None:
    created = api.create()
    path = f"{API}/{created['uniqueIdentifier']}"
    response = api.http.delete(path)
    assert response.status_code == 200
    assert response.json()["uniqueIdentifier"] == created["uniqueIdentifier"]
    assert api.http.get(path).status_code == 404
    assert api.http.get(path, params={"version": 1}).status_code == 404
    listed = api.http.get(API, params={"limit": 100}).json()
    assert created["uniqueIdentifier"] not in {w["uniqueIdentifier"] for w in listed}


def test_repeated_delete_is_404(api: ApiTarget) -> None:
    created = api.create()
    path = f"{API}/{created['uniqueIdentifier']}"
    assert api.http.delete(path).status_code == 200
    assert api.http.delete(path).status_code == 404
