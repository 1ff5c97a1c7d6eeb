"""The test-control routes (/__emulator): reset, seed, counters, request log, config."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from pulumi_thena.testing import EmulatorHandle
from tests.emulator.support import API, CONTROL, ApiTarget, control_headers

WORKFLOW_ROUTE = "PATCH /api/v1/workflows/{workflowUniqueIdentifier}"


def test_reset_forgets_workflows_and_restores_the_registry(
    api: ApiTarget, emulator: EmulatorHandle
) -> None:
    api.create()
    emulator.control.seed(events=[{"eventName": "custom:event"}])
    emulator.control.reset()
    assert emulator.control.workflows() == []
    names = {e["eventName"] for e in api.http.get(f"{API}/registry/events").json()}
    assert "custom:event" not in names and "ticket:created" in names
    assert emulator.control.counters()["total"] == 1  # only the registry call above


def test_seeded_registry_entries_are_usable(api: ApiTarget, emulator: EmulatorHandle) -> None:
    stored = emulator.control.seed(
        events=[{"eventName": "custom:event"}],
        activities=[{"uniqueIdentifier": "custom:activity", "version": 4}],
    )
    event = stored["events"][0]
    assert len(event["uid"]) == 29
    activity = api.http.get(f"{API}/registry/activities").json()[-1]
    assert (activity["uniqueIdentifier"], activity["version"]) == ("custom:activity", 4)
    workflow = api.create(
        triggerEvent="custom:event",
        workflowDefinition=[
            {"stepIdentifier": 1, "activity": {"uniqueIdentifier": "custom:activity"}}
        ],
    )
    assert workflow["triggerEvent"]["uid"] == event["uid"]


def test_team_registry_entries_need_the_team(api: ApiTarget, emulator: EmulatorHandle) -> None:
    emulator.control.seed(events=[{"eventName": "team:event", "teamId": "T1"}])

    def names(**params: str) -> set[str]:
        events = api.http.get(f"{API}/registry/events", params=params).json()
        return {e["eventName"] for e in events}

    assert "team:event" not in names()
    assert "team:event" in names(teamId="T1")
    assert "ticket:created" in names(teamId="T1")


def test_seeded_workflows_follow_the_create_rules(emulator: EmulatorHandle, api: ApiTarget) -> None:
    seeded = emulator.control.seed(
        workflows=[
            {
                **api.body(),
                "uniqueIdentifier": "SEEDED0000000000000000000A",
                "isActive": False,
                "createdAt": "2020-01-01T00:00:00Z",
            }
        ]
    )["workflows"][0]
    assert (seeded["version"], seeded["isActive"]) == (1, False)
    assert seeded["createdAt"] == "2020-01-01T00:00:00.000Z"
    fetched = api.http.get(f"{API}/SEEDED0000000000000000000A").json()
    assert fetched == seeded
    assert emulator.control.counters()["byRoute"] == {
        "GET /api/v1/workflows/{workflowUniqueIdentifier}": 1
    }


@pytest.mark.parametrize(
    "body",
    [
        {"workflows": [{"name": "no trigger"}]},
        {"executions": [{"status": "FINISHED"}]},
        {"executions": [{"workflowId": "W", "status": "RUNNING"}]},
        {"tasks": [{"workflowInstanceId": "nope", "stepIdentifier": 1, "activity": "a"}]},
        {"executions": [{"workflowId": "W", "tasks": [{"stepIdentifier": "1", "activity": "a"}]}]},
        {"executions": [{"workflowId": "W", "startedAt": "last tuesday"}]},
        {"gadgets": []},
    ],
)
def test_bad_seeds_are_400_and_store_nothing(emulator: EmulatorHandle, body: object) -> None:
    response = httpx.post(
        f"{emulator.base_url}{CONTROL}/seed",
        json={"events": [{"eventName": "half:seeded"}], **body},  # type: ignore[dict-item]
        headers=control_headers(emulator.api_key),
    )
    assert response.status_code == 400
    assert "half:seeded" not in {
        e["eventName"]
        for e in httpx.get(
            f"{emulator.base_url}{API}/registry/events", headers={"x-api-key": emulator.api_key}
        ).json()
    }


def test_counters_and_request_log(api: ApiTarget, emulator: EmulatorHandle) -> None:
    created = api.create()
    path = f"{API}/{created['uniqueIdentifier']}"
    for _ in range(3):
        api.http.patch(path, json={"executingAgent": "x"})
    emulator.control.workflows()  # control routes are neither counted nor logged
    counters = emulator.control.counters()
    assert counters["byRoute"][WORKFLOW_ROUTE] == 3
    assert counters["byPath"][f"PATCH {path}"] == 3
    assert (counters["total"], counters["status429"]) == (4, 0)
    log = emulator.control.requests()
    assert [entry["status"] for entry in log] == [201, 200, 200, 200]
    entry = log[-1]
    assert (entry["method"], entry["path"], entry["route"]) == ("PATCH", path, WORKFLOW_ROUTE[6:])
    assert entry["query"] == {} and entry["durationMs"] >= 0


def test_the_key_never_reaches_the_log_or_control_answers(
    api: ApiTarget, emulator: EmulatorHandle
) -> None:
    api.create()
    httpx.get(f"{api.base_url}{API}", headers={"x-api-key": "not-the-key-55"})
    api.http.get(API, params={"apiKey": api.key})  # a careless client puts it in the query
    for route in ("requests", "counters", "workflows", "faults", "config"):
        text = httpx.get(
            f"{emulator.base_url}{CONTROL}/{route}", headers=control_headers(emulator.api_key)
        ).text
        assert api.key not in text and "not-the-key-55" not in text


def test_stored_workflows_are_all_current_versions(
    api: ApiTarget, emulator: EmulatorHandle
) -> None:
    made = [api.create() for _ in range(25)]
    api.http.patch(f"{API}/{made[0]['uniqueIdentifier']}", json={"executingAgent": "x"})
    stored = {w["uniqueIdentifier"]: w["version"] for w in emulator.control.workflows()}
    assert len(stored) == 25 and stored[made[0]["uniqueIdentifier"]] == 2


def test_deny_list_gives_403_and_applies_nothing(api: ApiTarget, emulator: EmulatorHandle) -> None:
    created = api.create()
    emulator.control.configure(deny=["DELETE /api/v1/workflows/{workflowUniqueIdentifier}"])
    path = f"{API}/{created['uniqueIdentifier']}"
    response = api.http.delete(path)
    assert response.status_code == 403
    assert response.json() == {
        "statusCode": 403,
        "message": "Forbidden resource",
        "error": "Forbidden",
    }
    assert api.http.get(path).status_code == 200


def test_rate_limit_429_then_recovers(api: ApiTarget, emulator: EmulatorHandle) -> None:
    emulator.control.configure(rateLimit={"limit": 2, "windowSeconds": 0.5})
    window_start = time.monotonic()
    assert [api.http.get(API).status_code for _ in range(2)] == [200, 200]
    team = api.team("team-throttled")
    limited = api.http.post(API, json=api.body(teamId=team))
    assert limited.status_code == 429
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["Retry-After"] == "1"  # whole seconds, rounded up
    assert int(limited.headers["X-RateLimit-Reset"]) >= time.time()
    assert limited.json()["statusCode"] == 429
    time.sleep(max(0.0, window_start + 0.55 - time.monotonic()))
    recovered = api.http.get(API, params={"teamId": team})
    assert (recovered.status_code, recovered.json()) == (200, [])  # the 429 applied nothing
    assert emulator.control.counters()["status429"] == 1


def test_latency_is_added_to_api_calls(api: ApiTarget, emulator: EmulatorHandle) -> None:
    emulator.control.configure(latency_ms=150)
    started = time.monotonic()
    api.http.get(API)
    assert time.monotonic() - started >= 0.15
    emulator.control.configure(latencyMs=0)
    started = time.monotonic()
    api.http.get(API)
    assert time.monotonic() - started < 0.15


def test_reset_restores_the_start_config(emulator: EmulatorHandle) -> None:
    start = emulator.control.configure()
    emulator.control.configure(
        latencyMs=5,
        deny=["GET /api/v1/workflows"],
        response_shape="documented",
        page_base=0,
        limit_cap=7,
        order="asc",
        empty_bodies=True,
    )
    emulator.control.reset()
    config = httpx.get(
        f"{emulator.base_url}{CONTROL}/config", headers=control_headers(emulator.api_key)
    )
    assert config.json() == start


@pytest.mark.parametrize(
    "body",
    [
        {"latencyMs": -1},
        {"rateLimit": {"limit": 0, "windowSeconds": 1}},
        {"deny": "x"},
        {"x": 1},
        {"responseShape": "verbose"},
        {"pageBase": 2},
        {"pageBase": True},
        {"limitCap": 0},
        {"limitCap": 2.5},
        {"order": "random"},
        {"emptyBodies": "yes"},
    ],
)
def test_bad_config_is_400(emulator: EmulatorHandle, body: dict[str, object]) -> None:
    response = httpx.post(
        f"{emulator.base_url}{CONTROL}/config", json=body, headers=control_headers(emulator.api_key)
    )
    assert response.status_code == 400


def test_health_needs_no_key(api: ApiTarget, emulator: EmulatorHandle) -> None:
    response = httpx.get(f"{api.base_url}{API}/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_equal_created_at_lists_the_later_insert_first(
    api: ApiTarget, emulator: EmulatorHandle
) -> None:
    stamp = {"createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z"}
    seeded = emulator.control.seed(workflows=[{**api.body(), **stamp} for _ in range(3)])
    listed = [w["uniqueIdentifier"] for w in api.http.get(API).json()]
    assert listed == [w["uniqueIdentifier"] for w in reversed(seeded["workflows"])]


def test_concurrent_writes_are_all_kept(api: ApiTarget, emulator: EmulatorHandle) -> None:
    created = api.create()
    path = f"{API}/{created['uniqueIdentifier']}"

    def patch(index: int) -> int:
        with httpx.Client(base_url=api.base_url, headers={"x-api-key": api.key}) as http:
            return http.patch(path, json={"executingAgent": f"agent-{index}"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(patch, range(16)))
    assert statuses == [200] * 16
    versions = [api.http.get(path, params={"version": v}).json()["uid"] for v in range(1, 18)]
    assert len(set(versions)) == 17  # every PATCH got its own version and uid


def test_a_known_path_with_another_method_is_404(api: ApiTarget, emulator: EmulatorHandle) -> None:
    response = api.http.put(API, json={})
    assert response.status_code == 404
    assert response.json()["message"] == f"Cannot PUT {API}"


def test_tasks_can_be_seeded_on_their_own(api: ApiTarget, emulator: EmulatorHandle) -> None:
    run = emulator.control.seed(executions=[{"workflowId": "W1"}])["executions"][0]
    task = {"workflowInstanceId": run["id"], "stepIdentifier": 1, "activity": "http:webhook"}
    stored = emulator.control.seed(tasks=[task])["tasks"][0]
    assert stored["workflowInstanceId"] == run["id"]
    listed = api.http.get(f"{API}/{run['id']}/tasks").json()
    assert [t["id"] for t in listed] == [stored["id"]]
    assert "workflowInstanceId" not in listed[0]
    assert (listed[0]["status"], listed[0]["isRetry"], listed[0]["result"]) == (
        "FINISHED",
        False,
        {},
    )
