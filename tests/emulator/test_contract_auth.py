"""Contract: the API key (401), rate-limit headers on every answer, unknown routes (404)."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.emulator.support import API, ApiTarget

RATE_HEADERS = [
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-RateLimit-IP",
    "X-RateLimit-UserID",
    "X-RateLimit-OrgID",
    "X-RateLimit-Path",
]
WRONG_KEY = "wrong-key-7f3a9c-should-never-be-echoed"
UNAUTHORIZED = {"statusCode": 401, "message": "Invalid or missing API key", "error": "Unauthorized"}


@pytest.mark.parametrize("headers", [{}, {"x-api-key": ""}, {"x-api-key": WRONG_KEY}])
def test_requests_without_a_valid_key_are_401(api: ApiTarget, headers: dict[str, str]) -> None:
    response = httpx.get(f"{api.base_url}{API}", headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_401_never_echoes_the_key(api: ApiTarget) -> None:
    response = httpx.post(f"{api.base_url}{API}", headers={"x-api-key": WRONG_KEY}, json={})
    assert response.status_code == 401
    assert WRONG_KEY not in response.text
    assert all(WRONG_KEY not in value for value in response.headers.values())


def test_a_rejected_key_applies_nothing(api: ApiTarget) -> None:
    team = api.team("team-unauthorized")
    body = api.body(teamId=team)
    httpx.post(f"{api.base_url}{API}", headers={"x-api-key": WRONG_KEY}, json=body)
    assert body["name"] not in api.names_in_team(team)


def test_the_right_key_is_never_echoed(api: ApiTarget) -> None:
    created = api.create()
    for response in (
        api.http.get(f"{API}/{created['uniqueIdentifier']}"),
        api.http.get(API),
        api.http.post(API, json={}),
    ):
        assert api.key not in response.text
        assert all(api.key not in value for value in response.headers.values())


def test_every_answer_carries_the_rate_limit_headers(api: ApiTarget) -> None:
    created = api.create()
    responses = [
        api.http.get(API),
        api.http.post(API, json={}),
        api.http.get(f"{API}/01ZZZZZZZZZZZZZZZZZZZZZZZZ"),
        api.http.post(f"{API}/{created['uniqueIdentifier']}/toggle"),
        httpx.get(f"{api.base_url}{API}", headers={"x-api-key": WRONG_KEY}),
    ]
    for response in responses:
        missing = [name for name in RATE_HEADERS if name not in response.headers]
        assert not missing, (response.request.url, missing)
        assert int(response.headers["X-RateLimit-Reset"]) >= int(time.time())
        assert response.headers["X-RateLimit-Path"] == response.request.url.path


def test_remaining_counts_down(api: ApiTarget) -> None:
    first = int(api.http.get(API).headers["X-RateLimit-Remaining"])
    second = int(api.http.get(API).headers["X-RateLimit-Remaining"])
    assert second < first


def test_unknown_route_is_404(api: ApiTarget) -> None:
    response = api.http.get(f"{API}/a/b/c")
    assert response.status_code == 404
    assert response.json()["statusCode"] == 404
