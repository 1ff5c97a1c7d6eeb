"""Listing never misses a workflow: any page base, page-0 answer, limit cap, order (U-12, U-24).

``PagedOrg`` is a MockTransport server of E7 that counts pages from 0 or 1, answers page 0 of a
1-based listing as page 1, empty or with 400, caps ``limit``, orders by ``createdAt`` either
way, and can create workflows between two pages. The call counts are those of
``benchmarks/floors.py`` (``list_pages``), which the benchmark and docs/client.md quote.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.floors import list_pages
from pulumi_thena.client import ThenaClient, UnexpectedResponseError
from tests.client.fakes import Script, error_json, make_client, ok, workflow_json

COUNTS = (0, 1, 19, 20, 21, 99, 100, 101, 250)
# (page base, what a 1-based server does with page 0)
SERVERS = [(0, "-"), (1, "clamp"), (1, "empty"), (1, "400")]


@dataclass
class PagedOrg:
    """E7 as a server with its own page base, limit cap and order; creates between pages."""

    count: int
    base: int = 1
    page_zero: str = "400"  # a 1-based server's page 0: "clamp" (page 1), "empty" or "400"
    cap: int | None = None
    order: str = "desc"
    created_per_page: int = 0
    workflows: list[dict[str, Any]] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        for _ in range(self.count):
            self.create()
        self.initial = [w["uniqueIdentifier"] for w in self.workflows]

    def create(self) -> None:
        n = len(self.workflows)
        self.workflows.append(workflow_json(f"wf-{n:04}", createdAt=f"2024-01-01T00:{n:04}Z"))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.pages:  # a workflow made by someone else between two of our pages
            for _ in range(self.created_per_page):
                self.create()
        page, limit = int(request.url.params["page"]), int(request.url.params["limit"])
        self.pages.append(page)
        if self.cap is not None:
            limit = min(limit, self.cap)
        if page < self.base:
            if self.page_zero == "400":
                return ok(error_json(400, "page must not be less than 1"), 400)
            if self.page_zero == "empty":
                return ok([])
            page = self.base
        ordered = self.workflows if self.order == "asc" else self.workflows[::-1]
        start = (page - self.base) * limit
        return ok(ordered[start : start + limit])

    def client(self) -> ThenaClient:
        return make_client(self)


def listed_ids(client: ThenaClient, page_size: int = 100) -> tuple[list[str], int]:
    pages = client.iter_workflows(page_size=page_size)
    return [w.unique_identifier for w in pages], pages.pages_fetched


def served(page_size: int, cap: int | None) -> int:
    return page_size if cap is None else min(page_size, cap)


@pytest.mark.parametrize("count", COUNTS)
@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("cap", [None, 20], ids=["no-cap", "cap-20"])
@pytest.mark.parametrize(("base", "page_zero"), SERVERS, ids=[f"{b}-{z}" for b, z in SERVERS])
def test_every_workflow_once_at_the_documented_cost(
    base: int, page_zero: str, cap: int | None, order: str, count: int
) -> None:
    org = PagedOrg(count, base, page_zero, cap, order)
    client = org.client()
    ids, calls = listed_ids(client)
    assert sorted(ids) == sorted(org.initial)
    assert calls == len(org.pages) == list_pages(count, served(100, cap), page_base=base)
    assert client.page_base == (None if count == 0 else base)

    again, calls = listed_ids(client)
    assert sorted(again) == sorted(org.initial)
    first = count == 0  # an empty org taught nothing: the next listing detects again
    assert calls == list_pages(count, served(100, cap), page_base=base, first=first)


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("cap", [None, 20], ids=["no-cap", "cap-20"])
@pytest.mark.parametrize(("base", "page_zero"), SERVERS, ids=[f"{b}-{z}" for b, z in SERVERS])
@pytest.mark.parametrize("count", [0, 19, 250])
def test_workflows_created_between_pages_shift_nothing_out(
    base: int, page_zero: str, cap: int | None, order: str, count: int
) -> None:
    org = PagedOrg(count, base, page_zero, cap, order, created_per_page=3)
    ids, _ = listed_ids(org.client())
    assert len(ids) == len(set(ids))  # each once
    assert set(org.initial) <= set(ids)  # none of those there before the listing is missed


@settings(max_examples=100, deadline=None)
@given(
    server=st.sampled_from(SERVERS),
    cap=st.none() | st.integers(1, 120),
    order=st.sampled_from(["asc", "desc"]),
    count=st.integers(0, 260),
    page_size=st.integers(1, 100),
    created=st.integers(0, 4),
)
def test_property_no_workflow_is_missed_or_repeated(
    server: tuple[int, str], cap: int | None, order: str, count: int, page_size: int, created: int
) -> None:
    size = served(page_size, cap)
    created = min(created, size - 1)  # fewer new workflows between two pages than a page holds
    org = PagedOrg(count, *server, cap=cap, order=order, created_per_page=created)
    ids, calls = listed_ids(org.client(), page_size)
    assert len(ids) == len(set(ids))
    assert set(org.initial) <= set(ids)
    if not created:
        assert calls == list_pages(count, size, page_base=server[0])


def test_a_short_first_page_is_not_the_last_one() -> None:
    """A server capping limit at 20, oldest first: page 1 holds 20 of 45, not all of them."""
    org = PagedOrg(45, base=1, page_zero="400", cap=20, order="asc")
    ids, _ = listed_ids(org.client())
    assert len(ids) == 45
    assert org.pages == [0, 1, 2, 3]


def test_a_0_based_server_shows_its_newest_workflows() -> None:
    org = PagedOrg(150, base=0, order="desc")
    ids, _ = listed_ids(org.client())
    assert "wf-0149" in ids and len(ids) == 150
    assert org.pages == [0, 1]  # 100 newest, then the 50 oldest: short, so the last


def test_the_base_is_learned_once_per_client() -> None:
    org = PagedOrg(5, base=1, page_zero="400")
    client = org.client()
    listed_ids(client)
    listed_ids(client)
    assert org.pages == [0, 1, 2, 1, 2]
    assert make_client(org).page_base is None  # another client (another process) detects again


def test_a_server_ignoring_paging_is_detected(caplog: pytest.LogCaptureFixture) -> None:
    everything = [workflow_json(f"wf-{i}") for i in range(20)]
    script = Script(ok(everything))
    with caplog.at_level(logging.WARNING, "pulumi_thena.client"):
        ids, calls = listed_ids(make_client(script), 20)
    assert len(ids) == 20
    assert calls == 3  # page 0, page 1 (the same: 1-based), page 2 (the same again)
    assert "ignores paging" in caplog.text


def test_endless_full_pages_hit_the_page_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pulumi_thena.client.paging.MAX_PAGES", 3)
    counter = iter(range(10_000))

    def endless(request: httpx.Request) -> httpx.Response:
        return ok([workflow_json(f"wf-{next(counter)}") for _ in range(2)])

    with pytest.raises(UnexpectedResponseError, match=r"GET /api/v1/workflows.*after 3 pages"):
        make_client(endless).list_workflows(page_size=2)


@pytest.mark.parametrize("size", [0, 101])
def test_page_size_is_bounded(size: int) -> None:
    with pytest.raises(ValueError, match="page_size"):
        make_client(Script(ok([]))).iter_workflows(page_size=size)


def test_pages_are_fetched_lazily() -> None:
    org = PagedOrg(45, base=0)
    pages = org.client().iter_workflows(page_size=20)
    assert org.pages == []
    next(pages)
    assert org.pages == [0]


def test_another_refusal_of_page_0_is_not_taken_for_the_base() -> None:
    """A 400 on page 1 too (e.g. a bad teamId) is the error it is."""
    script = Script(ok(error_json(400, "teamId must be a UUID"), 400))
    with pytest.raises(Exception, match="teamId must be a UUID"):
        make_client(script).list_workflows(team_id="nope")
    assert script.count == 2
