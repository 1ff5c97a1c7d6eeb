"""Contract: the registries (E4 activities, E9 events) and the filter-operator catalogue (E1)."""

from __future__ import annotations

import re

from tests.emulator.support import API, ApiTarget

EVENT_UID = re.compile(r"[0-9A-Z]{29}")
EMULATOR_ACTIVITIES = {
    "workflows:sleep-platform",
    "tickets:create-ticket-platform",
    "tickets:update-ticket-platform",
    "tickets:add-comment-platform",
    "tickets:assign-ticket-platform",
    "slack:send-message",
    "http:webhook",
    "email:send-email",
    "accounts:update-account-platform",
}


def test_event_registry_lists_trigger_events(api: ApiTarget) -> None:
    response = api.http.get(f"{API}/registry/events")
    assert response.status_code == 200
    events = response.json()
    assert len(events) >= 8
    for event in events:
        assert {"uid", "eventName", "description", "source", "schema", "metadata"} <= set(event)
        assert ":" in event["eventName"]
        if not api.live:
            assert EVENT_UID.fullmatch(event["uid"])
    if not api.live:
        names = {event["eventName"] for event in events}
        assert {"ticket:created", "ticket:updated", "slack:message", "schedule:daily"} <= names
        assert {event["source"] for event in events} >= {"platform_app", "slack", "scheduler"}


def test_activity_registry_has_one_item_per_version(api: ApiTarget) -> None:
    response = api.http.get(f"{API}/registry/activities")
    assert response.status_code == 200
    activities = response.json()
    expected = {"uniqueIdentifier", "version", "uid", "id", "name", "description", "source"}
    expected |= {"category", "inputSchema", "outputSchema", "isActive", "createdAt", "updatedAt"}
    for activity in activities:
        assert expected <= set(activity)
        assert activity["id"] == activity["uid"]
    pairs = [(a["uniqueIdentifier"], a["version"]) for a in activities]
    assert len(pairs) == len(set(pairs))
    if not api.live:
        assert {a["uniqueIdentifier"] for a in activities} >= EMULATOR_ACTIVITIES
        versions = sorted(v for name, v in pairs if name == "tickets:create-ticket-platform")
        assert versions == [1, 2, 3]


def test_registries_accept_a_team_id(api: ApiTarget) -> None:
    for kind in ("events", "activities"):
        response = api.http.get(f"{API}/registry/{kind}", params={"teamId": api.team("team-x")})
        assert response.status_code == 200 and isinstance(response.json(), list)


def test_filter_operator_catalogue(api: ApiTarget) -> None:
    response = api.http.get(f"{API}/filter-operators")
    assert response.status_code == 200
    catalogue = response.json()
    operators = {item["operator"]: item for item in catalogue["operators"]}
    assert {"~eq", "~in", "~regex", "~isnull"} <= set(operators)
    assert operators["~in"]["category"] == "array"
    assert {item["operator"] for item in catalogue["logicalOperators"]} == {"~and", "~or"}
