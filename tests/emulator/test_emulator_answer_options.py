"""The readings docs/api.md leaves open, as emulator options: page base (U-24), a cap on ``limit``
and the list order (U-12), empty success bodies (U-25); set by marker, at run time and at start.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pulumi_thena.emulator import DEFAULT_API_KEY, Settings
from pulumi_thena.emulator.settings import WIRE_NAMES
from pulumi_thena.testing import EmulatorHandle
from pulumi_thena.testing.pytest_plugin import requested_options
from tests.emulator.support import API, CONTROL, ApiTarget, control_headers


def _ids(workflows: list[dict[str, Any]]) -> list[str]:
    return [str(w["uniqueIdentifier"]) for w in workflows]


def _created(api: ApiTarget, count: int, team: str) -> list[str]:
    """``count`` new workflows of ``team``, oldest first."""
    return [api.create(teamId=team)["uniqueIdentifier"] for _ in range(count)]


def _page(api: ApiTarget, team: str, **params: Any) -> list[str]:
    response = api.http.get(API, params={"teamId": team, **params})
    assert response.status_code == 200, response.text
    return _ids(response.json())


@pytest.mark.thena_emulator(page_base=0)
def test_page_base_0_counts_from_page_0(api: ApiTarget, emulator: EmulatorHandle) -> None:
    newest_first = list(reversed(_created(api, 5, "team-base0")))
    pages = [_page(api, "team-base0", page=page, limit=2) for page in (0, 1, 2, 3)]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5], []]
    assert _page(api, "team-base0", limit=2) == newest_first[0:2]  # no page: the first one
    # A client that starts at page 1 never sees the newest two (U-24).
    assert not set(newest_first[0:2]) & set(pages[1] + pages[2])


def test_page_base_1_refuses_page_0(api: ApiTarget, emulator: EmulatorHandle) -> None:
    response = api.http.get(API, params={"page": 0})
    assert response.status_code == 400
    assert response.json()["message"] == ["page must be a whole number of at least 1"]


@pytest.mark.thena_emulator(limit_cap=3)
def test_a_larger_limit_is_capped_silently(api: ApiTarget, emulator: EmulatorHandle) -> None:
    newest_first = list(reversed(_created(api, 5, "team-cap")))
    assert _page(api, "team-cap", limit=100) == newest_first[0:3]
    assert _page(api, "team-cap", limit=100, page=2) == newest_first[3:5]  # pages of 3
    assert _page(api, "team-cap", limit=2) == newest_first[0:2]  # below the cap: as asked
    assert _page(api, "team-cap") == newest_first[0:3]  # the default 20, capped as well


def test_the_default_cap_is_100(api: ApiTarget, emulator: EmulatorHandle) -> None:
    emulator.control.seed(workflows=[api.body(teamId="team-101") for _ in range(101)])
    assert len(_page(api, "team-101", limit=1000)) == 100
    assert len(_page(api, "team-101", limit=100, page=2)) == 1


@pytest.mark.thena_emulator(order="asc")
def test_order_asc_lists_oldest_first(api: ApiTarget, emulator: EmulatorHandle) -> None:
    oldest_first = _created(api, 3, "team-asc")
    assert _page(api, "team-asc", limit=2) == oldest_first[0:2]
    assert _page(api, "team-asc", limit=2, page=2) == oldest_first[2:3]


def test_equal_created_at_lists_the_earlier_insert_first_in_asc(
    api: ApiTarget, emulator: EmulatorHandle
) -> None:
    emulator.control.configure(order="asc")
    stamp = {"createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z"}
    seeded = emulator.control.seed(workflows=[{**api.body(), **stamp} for _ in range(3)])
    assert _ids(api.http.get(API).json()) == _ids(seeded["workflows"])


@pytest.mark.thena_emulator(empty_bodies=True)
def test_empty_bodies_for_delete_and_toggle(api: ApiTarget, emulator: EmulatorHandle) -> None:
    created = api.create()
    path = f"{API}/{created['uniqueIdentifier']}"
    toggled = api.http.post(f"{path}/toggle")
    assert (toggled.status_code, toggled.content) == (200, b"")
    assert "content-type" not in toggled.headers
    assert api.http.get(path).json()["isActive"] is False  # the toggle was applied
    deleted = api.http.delete(path)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert "X-RateLimit-Limit" in deleted.headers
    assert api.http.get(path).status_code == 404


def test_other_answers_keep_their_bodies_with_empty_bodies(
    api: ApiTarget, emulator: EmulatorHandle
) -> None:
    emulator.control.configure(empty_bodies=True)
    created = api.create()
    path = f"{API}/{created['uniqueIdentifier']}"
    assert api.http.patch(path, json={"name": "renamed"}).json()["version"] == 2
    missing = api.http.delete(f"{API}/01ZZZZZZZZZZZZZZZZZZZZZZZZ")
    assert missing.status_code == 404 and missing.json()["statusCode"] == 404


def test_options_switch_at_run_time(api: ApiTarget, emulator: EmulatorHandle) -> None:
    oldest_first = _created(api, 3, "team-switch")
    assert _page(api, "team-switch", limit=1) == oldest_first[2:3]
    config = emulator.control.configure(page_base=0, limit_cap=2, order="asc")
    assert (config["pageBase"], config["limitCap"], config["order"]) == (0, 2, "asc")
    assert _page(api, "team-switch", page=0, limit=50) == oldest_first[0:2]
    emulator.control.configure(pageBase=1, limitCap=100, order="desc")
    assert _page(api, "team-switch", page=1, limit=1) == oldest_first[2:3]


def test_options_at_start_survive_a_reset(thena_emulator_factory: Any) -> None:
    handle: EmulatorHandle = thena_emulator_factory(
        page_base=0, limit_cap=2, order="asc", empty_bodies=True, response_shape="documented"
    )
    handle.control.configure(page_base=1, order="desc")
    handle.control.reset()
    config = handle.control.configure()
    assert {k: config[k] for k in ("pageBase", "limitCap", "order", "emptyBodies")} == {
        "pageBase": 0,
        "limitCap": 2,
        "order": "asc",
        "emptyBodies": True,
    }
    assert config["responseShape"] == "documented"
    headers = {"x-api-key": handle.api_key}
    assert httpx.get(f"{handle.base_url}{API}", params={"page": 0}, headers=headers).json() == []


def test_bad_start_options_are_value_errors(thena_emulator_factory: Any) -> None:
    with pytest.raises(ValueError, match="pageBase must be 0 or 1; order must be asc or desc"):
        thena_emulator_factory(page_base=2, order="sideways")


@pytest.mark.parametrize("thena_emulator", [{"order": "asc"}, {"page_base": 0}], indirect=True)
def test_the_fixture_takes_options_by_indirect_parametrization(
    thena_emulator: EmulatorHandle, request: pytest.FixtureRequest
) -> None:
    asked: dict[str, Any] = request.node.callspec.params["thena_emulator"]
    expected = {**Settings().to_wire(), **{WIRE_NAMES[k]: v for k, v in asked.items()}}
    assert thena_emulator.control.configure() == expected


@pytest.mark.thena_emulator(order="asc")
def test_the_next_test_starts_from_the_start_settings(thena_emulator: EmulatorHandle) -> None:
    assert thena_emulator.control.configure()["order"] == "asc"


def test_after_a_marked_test_the_settings_are_back(thena_emulator: EmulatorHandle) -> None:
    assert thena_emulator.control.configure()["order"] == "desc"


class _Marker:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs


class _Request:
    """Just what ``requested_options`` reads of a pytest request."""

    def __init__(self, markers: list[_Marker], param: Any = None) -> None:
        self._markers, self.param = markers, param
        self.node = self

    def iter_markers(self, name: str) -> Iterator[_Marker]:
        return iter(self._markers)


def test_the_closest_marker_and_then_the_parameter_win() -> None:
    request = _Request([_Marker(order="asc"), _Marker(order="desc", page_base=0)], {"limit_cap": 5})
    assert requested_options(request) == {"order": "asc", "page_base": 0, "limit_cap": 5}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (_Request([_Marker(api_key="k")]), "cannot take api_key for one test"),
        (_Request([_Marker(state_file="s.json")]), "thena_emulator_factory"),
        (_Request([_Marker("documented")]), "keyword options only"),
        (_Request([], ["documented"]), "must be a dict"),
    ],
)
def test_options_the_shared_emulator_cannot_take_are_usage_errors(
    request_: _Request, expected: str
) -> None:
    with pytest.raises(pytest.UsageError, match=expected):
        requested_options(request_)  # type: ignore[arg-type]


def test_the_command_line_sets_every_option() -> None:
    args = ["--response-shape", "documented", "--page-base", "0", "--limit-cap", "2"]
    args += ["--order", "asc", "--empty-bodies"]
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi_thena.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert banner.endswith(
            "responseShape=documented, pageBase=0, limitCap=2, order=asc, emptyBodies=True\n"
        )
        url = banner.split("listening on ", 1)[1].split(" ", 1)[0]
        config = httpx.get(f"{url}{CONTROL}/config", headers=control_headers(DEFAULT_API_KEY))
        assert {k: config.json()[k] for k in ("responseShape", "pageBase", "limitCap")} == {
            "responseShape": "documented",
            "pageBase": 0,
            "limitCap": 2,
        }
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
