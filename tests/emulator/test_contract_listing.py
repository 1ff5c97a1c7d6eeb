"""Contract: listing workflows (E7): bare array, 1-based pages, filters, newest first.

The other readings of U-12 and U-24 (page base 0, a cap on limit, oldest first) are options of
the emulator, tested in test_emulator_answer_options.py.
"""

from __future__ import annotations

import pytest

from pulumi_thena.testing import EmulatorHandle
from tests.emulator.support import API, ApiTarget


def _ids(workflows: list[dict[str, object]]) -> list[object]:
    return [w["uniqueIdentifier"] for w in workflows]


def test_list_is_a_bare_array_of_current_versions(api: ApiTarget) -> None:
    team = api.team("team-current")
    created = api.create(teamId=team)
    api.http.patch(f"{API}/{created['uniqueIdentifier']}", json={"executingAgent": "x"})
    response = api.http.get(API, params={"teamId": team, "limit": 100})
    assert response.status_code == 200 and isinstance(response.json(), list)
    mine = [w for w in response.json() if w["uniqueIdentifier"] == created["uniqueIdentifier"]]
    assert [w["version"] for w in mine] == [2]


def test_list_orders_newest_first(api: ApiTarget) -> None:
    team = api.team("team-order")
    made = _ids([api.create(teamId=team) for _ in range(3)])
    listed = _ids(api.http.get(API, params={"teamId": team, "limit": 100}).json())
    assert [i for i in listed if i in made] == list(reversed(made))


def test_list_pages_are_1_based(api: ApiTarget, emulator: EmulatorHandle) -> None:
    made = [api.create(teamId="team-pages") for _ in range(5)]
    newest_first = _ids(list(reversed(made)))
    pages = [
        api.http.get(API, params={"teamId": "team-pages", "page": page, "limit": 2}).json()
        for page in (1, 2, 3, 4)
    ]
    assert [_ids(page) for page in pages] == [
        newest_first[0:2],
        newest_first[2:4],
        newest_first[4:5],
        [],
    ]


def test_list_default_limit_is_20(api: ApiTarget, emulator: EmulatorHandle) -> None:
    for _ in range(21):
        api.create(teamId="team-default-limit")
    assert len(api.http.get(API, params={"teamId": "team-default-limit"}).json()) == 20


def test_list_filters_by_type_and_sub_types(api: ApiTarget) -> None:
    team = api.team("team-filter")
    agent = api.create(teamId=team, subType="AI_AGENT")["uniqueIdentifier"]
    flow = api.create(teamId=team)["uniqueIdentifier"]

    def listed(**params: str) -> set[object]:
        found = api.http.get(API, params={"teamId": team, "limit": 100, **params}).json()
        return set(_ids(found)) & {agent, flow}

    assert listed() == {agent, flow}
    assert listed(type="MANUAL") == {agent, flow}
    assert listed(type="NO-SUCH-TYPE") == set()
    assert listed(subTypes="AI_AGENT") == {agent}
    assert listed(subTypes="WORKFLOW,AI_AGENT") == {agent, flow}


def test_list_team_filter_excludes_other_teams(api: ApiTarget, emulator: EmulatorHandle) -> None:
    mine = api.create(teamId="team-a")
    api.create(teamId="team-b")
    api.create()
    listed = api.http.get(API, params={"teamId": "team-a"}).json()
    assert _ids(listed) == [mine["uniqueIdentifier"]]
    assert len(api.http.get(API).json()) == 3


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "0"),
        ("limit", "ten"),
        ("limit", "2.5"),
        ("page", "0"),
        ("page", "-1"),
        ("page", "x"),
    ],
)
def test_list_rejects_bad_paging(api: ApiTarget, name: str, value: str) -> None:
    response = api.http.get(API, params={name: value})
    assert response.status_code == 400
    assert any(name in message for message in response.json()["message"])


def test_list_accepts_the_maximum_limit(api: ApiTarget) -> None:
    assert api.http.get(API, params={"limit": 100}).status_code == 200
