"""ThenaClient against the local emulator over real HTTP: every endpoint, retries, faults.

Uses the ``thena_emulator`` fixture (reset per test). Timeouts and backoffs are small so the
whole module runs in a few seconds; nothing here sleeps longer than a fault asks for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from benchmarks.floors import list_pages
from pulumi_thena.client import (
    AmbiguousWriteError,
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    RetryPolicy,
    ServerError,
    ThenaClient,
    ThenaError,
    ThenaTimeoutError,
    ThenaTransportError,
    UnexpectedResponseError,
)
from pulumi_thena.models import ExecutionStatus, TaskStatus, Workflow

E = TypeVar("E", bound=ThenaError)

API = "/api/v1/workflows"
ONE = f"{API}/{{workflowUniqueIdentifier}}"
CREATE = f"POST {API}"
LIST = f"GET {API}"
GET = f"GET {ONE}"
PATCH = f"PATCH {ONE}"
DELETE = f"DELETE {ONE}"
TOGGLE = f"POST {ONE}/toggle"
FAST_RETRY = RetryPolicy(
    max_attempts=6, initial_backoff=0.05, max_backoff=0.5, max_total_seconds=10
)
WRONG_KEY = "wrong-key-for-leak-check-0001"


def definition(name: str = "Escalation comment", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "triggerEvent": "ticket:created",
        "executingAgent": "bot-support",
        "teamId": "team-support",
        "workflowDefinition": [
            {
                "stepIdentifier": 1,
                "activity": {"uniqueIdentifier": "tickets:add-comment-platform"},
                "input": {"ticketId": "{{context.event.message.payload.ticketId}}", "text": "hi"},
            }
        ],
    }
    body.update(overrides)
    return body


class Raised:
    """Every error a test provoked, checked for the API key when the test ends."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self.errors: list[BaseException] = []

    def expect(self, cls: type[E], call: Callable[[], object]) -> E:
        with pytest.raises(cls) as caught:
            call()
        self.errors.append(caught.value)
        return caught.value

    def check(self) -> None:
        for error in self.errors:
            for seen in _chain(error):
                for key in self.keys:
                    assert key not in str(seen), f"API key in str() of {type(seen).__name__}"
                    assert key not in repr(seen), f"API key in repr() of {type(seen).__name__}"


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = error
    while seen is not None:
        yield seen
        cause = getattr(seen, "cause", None)
        if isinstance(cause, BaseException):
            yield cause
        seen = seen.__cause__ or seen.__context__


@pytest.fixture
def emulator(thena_emulator: Any) -> Any:
    return thena_emulator


@pytest.fixture
def client(emulator: Any) -> Iterator[ThenaClient]:
    with ThenaClient(
        emulator.base_url,
        emulator.api_key,
        timeout=2.0,
        connect_timeout=0.5,
        retry=FAST_RETRY,
        rate_limit_rps=None,
    ) as made:
        yield made


@pytest.fixture
def raised(emulator: Any) -> Iterator[Raised]:
    collector = Raised([emulator.api_key, WRONG_KEY])
    yield collector
    collector.check()


def calls(emulator: Any, route: str, expected: int = 0) -> int:
    """Requests the emulator logged on ``route``, once at least ``expected`` are in.

    The emulator logs a request after writing its answer, so the last one can lag a moment
    behind the client's return.
    """

    def count() -> int:
        found: int = emulator.control.counters()["byRoute"].get(route, 0)
        return found

    eventually(lambda: count() >= expected)
    return count()


def eventually(condition: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def stored(emulator: Any) -> list[dict[str, Any]]:
    workflows: list[dict[str, Any]] = emulator.control.workflows()
    return workflows


# --- every endpoint ---------------------------------------------------------------------------


def test_registries_and_operators(client: ThenaClient) -> None:
    assert "ticket:created" in {event.event_name for event in client.list_events()}
    activities = {a.unique_identifier for a in client.list_activities("team-support")}
    assert "tickets:add-comment-platform" in activities
    assert {"~eq", "~and", "~or"} <= client.get_filter_operators().names()


def test_workflow_lifecycle(client: ThenaClient, raised: Raised) -> None:
    created = client.create_workflow(definition())
    assert isinstance(created, Workflow)
    assert (created.version, created.is_active) == (1, True)
    assert created.trigger_event_name() == "ticket:created"
    uid = created.unique_identifier

    assert client.get_workflow(uid) == created
    updated = client.update_workflow(uid, {"name": "Renamed"})
    assert (updated.version, updated.name, updated.unique_identifier) == (2, "Renamed", uid)
    assert client.get_workflow(uid, version=1).name == "Escalation comment"

    toggled = client.toggle_workflow(uid)
    assert toggled.is_active is False and toggled.version == 2
    assert [w.unique_identifier for w in client.list_workflows()] == [uid]
    assert client.list_workflows(team_id="other-team") == []

    client.delete_workflow(uid)
    raised.expect(NotFoundError, lambda: client.get_workflow(uid))
    raised.expect(NotFoundError, lambda: client.delete_workflow(uid))


def test_executions_and_tasks(client: ThenaClient, emulator: Any) -> None:
    uid = client.create_workflow(definition()).unique_identifier
    start = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    emulator.control.seed(
        executions=[
            {
                "id": "run-old",
                "workflowId": uid,
                "status": "FAILED",
                "startedAt": start.isoformat(),
                "tasks": [{"stepIdentifier": 1, "activity": "tickets:add-comment-platform"}],
            },
            {
                "id": "run-new",
                "workflowId": uid,
                "startedAt": (start + timedelta(days=2)).isoformat(),
            },
        ]
    )
    runs = client.list_executions(uid)
    assert [run.id for run in runs] == ["run-new", "run-old"]
    assert [r.id for r in client.list_executions(uid, status="FAILED")] == ["run-old"]
    later, last = start + timedelta(days=1), start + timedelta(days=3)
    window = client.list_executions(uid, since=later, until=last)
    assert [r.id for r in window] == ["run-new"]
    assert runs[1].status is ExecutionStatus.FAILED
    (task,) = client.list_tasks("run-old")
    assert task.status is TaskStatus.FINISHED and task.activity == "tickets:add-comment-platform"


def test_errors_from_the_server(client: ThenaClient, emulator: Any, raised: Raised) -> None:
    invalid = raised.expect(InvalidInputError, lambda: client.create_workflow({"name": "x"}))
    assert invalid.messages and "POST /api/v1/workflows -> 400" in str(invalid)
    with ThenaClient(emulator.base_url, WRONG_KEY, rate_limit_rps=None) as stranger:
        raised.expect(AuthenticationError, stranger.list_events)
    raised.expect(NotFoundError, lambda: client.list_tasks("no-such-run"))
    raised.expect(NotFoundError, lambda: client.update_workflow("no-such-id", {"name": "x"}))


# --- retries over real HTTP -------------------------------------------------------------------


def test_a_503_on_get_is_retried(client: ThenaClient, emulator: Any) -> None:
    uid = client.create_workflow(definition()).unique_identifier
    emulator.control.inject_fault("GET", ONE, "status", status=503)
    assert client.get_workflow(uid).unique_identifier == uid
    assert calls(emulator, GET, 2) == 2
    assert client.stats.retries == 1


def test_a_503_on_get_that_persists_surfaces_as_server_error(
    client: ThenaClient, emulator: Any, raised: Raised
) -> None:
    emulator.control.inject_fault("GET", API, "status", count=100, status=503)
    policy = RetryPolicy(max_attempts=3, initial_backoff=0.01, max_backoff=0.05)
    with ThenaClient(emulator.base_url, emulator.api_key, retry=policy) as short:
        error = raised.expect(ServerError, short.list_workflows)
    assert error.status == 503 and "injected fault" in str(error)
    assert calls(emulator, LIST, 3) == 3


def test_a_429_on_post_is_retried_and_creates_once(client: ThenaClient, emulator: Any) -> None:
    emulator.control.inject_fault("POST", API, "rate_limit", retry_after=1)
    client.create_workflow(definition())
    assert calls(emulator, CREATE, 2) == 2
    assert len(stored(emulator)) == 1
    assert client.stats.status_429 == 1
    assert emulator.control.counters()["status429"] == 1


def test_commit_then_drop_on_create_is_ambiguous_and_not_retried(
    client: ThenaClient, emulator: Any, raised: Raised
) -> None:
    emulator.control.inject_fault("POST", API, "commit_then_drop")
    error = raised.expect(AmbiguousWriteError, lambda: client.create_workflow(definition()))
    assert (error.method, error.path) == ("POST", API)
    assert client.stats.requests("POST /api/v1/workflows") == 1
    assert calls(emulator, CREATE, 1) == 1
    assert len(stored(emulator)) == 1


def test_commit_then_drop_on_update_is_ambiguous_and_applied_once(
    client: ThenaClient, emulator: Any, raised: Raised
) -> None:
    uid = client.create_workflow(definition()).unique_identifier
    emulator.control.inject_fault("PATCH", ONE, "commit_then_drop")
    raised.expect(AmbiguousWriteError, lambda: client.update_workflow(uid, {"name": "New"}))
    assert client.stats.requests("PATCH /api/v1/workflows/{unique_identifier}") == 1
    assert calls(emulator, PATCH, 1) == 1
    assert client.get_workflow(uid).version == 2


def test_commit_then_drop_on_toggle_is_ambiguous_and_flips_once(
    client: ThenaClient, emulator: Any, raised: Raised
) -> None:
    uid = client.create_workflow(definition()).unique_identifier
    emulator.control.inject_fault("POST", f"{ONE}/toggle", "commit_then_drop")
    raised.expect(AmbiguousWriteError, lambda: client.toggle_workflow(uid))
    assert client.stats.requests("POST /api/v1/workflows/{unique_identifier}/toggle") == 1
    assert calls(emulator, TOGGLE, 1) == 1
    assert client.get_workflow(uid).is_active is False


def test_commit_then_delay_past_the_timeout_is_ambiguous(emulator: Any, raised: Raised) -> None:
    with ThenaClient(
        emulator.base_url, emulator.api_key, timeout=0.3, retry=FAST_RETRY, rate_limit_rps=None
    ) as impatient:
        uid = impatient.create_workflow(definition()).unique_identifier
        emulator.control.inject_fault("PATCH", ONE, "commit_then_delay", delay_seconds=1)
        error = raised.expect(
            AmbiguousWriteError, lambda: impatient.update_workflow(uid, {"name": "Slow"})
        )
        assert isinstance(error.cause, ThenaTimeoutError)
        assert impatient.stats.requests("PATCH /api/v1/workflows/{unique_identifier}") == 1
        assert impatient.get_workflow(uid).version == 2  # applied, exactly once
        assert calls(emulator, PATCH, 1) == 1


def test_a_503_on_update_is_ambiguous(client: ThenaClient, emulator: Any, raised: Raised) -> None:
    uid = client.create_workflow(definition()).unique_identifier
    emulator.control.inject_fault("PATCH", ONE, "status", status=503)
    error = raised.expect(AmbiguousWriteError, lambda: client.update_workflow(uid, {"name": "x"}))
    assert error.status == 503
    assert calls(emulator, PATCH, 1) == 1


def test_delete_after_a_plain_drop_is_retried(client: ThenaClient, emulator: Any) -> None:
    uid = client.create_workflow(definition()).unique_identifier
    emulator.control.inject_fault("DELETE", ONE, "drop")
    client.delete_workflow(uid)
    assert calls(emulator, DELETE, 2) == 2
    assert stored(emulator) == []


def test_delete_after_commit_then_drop_is_retried_into_not_found(
    client: ThenaClient, emulator: Any, raised: Raised
) -> None:
    uid = client.create_workflow(definition()).unique_identifier
    emulator.control.inject_fault("DELETE", ONE, "commit_then_drop")
    raised.expect(NotFoundError, lambda: client.delete_workflow(uid))
    assert calls(emulator, DELETE, 2) == 2
    assert stored(emulator) == []


def test_a_refused_connection_is_retried_until_the_server_is_back(
    client: ThenaClient, emulator: Any
) -> None:
    client.list_events()  # a warm keep-alive connection that the refusal will cut
    emulator.control.inject_fault("GET", API, "refuse", seconds=0.4)
    assert client.list_workflows() == []
    assert client.stats.retries >= 1
    # The refused attempts never reached the server: the one that started the refusal, then
    # the listing of an empty org (page 0 refused by the 1-based emulator, page 1 empty).
    assert calls(emulator, LIST, 3) == 3


def test_a_create_is_retried_while_connections_are_refused(
    client: ThenaClient, emulator: Any, raised: Raised
) -> None:
    emulator.control.inject_fault("GET", f"{API}/registry/events", "refuse", seconds=0.4)
    with ThenaClient(
        emulator.base_url, emulator.api_key, retry=RetryPolicy(max_attempts=1), rate_limit_rps=None
    ) as trigger:
        raised.expect(ThenaTransportError, trigger.list_events)  # this request starts the refusal
    client.create_workflow(definition())
    assert client.stats.retries >= 1
    assert calls(emulator, CREATE, 1) == 1  # refused attempts never reached the server
    assert len(stored(emulator)) == 1


def test_an_html_page_with_200_is_an_unexpected_response(
    client: ThenaClient, emulator: Any, raised: Raised
) -> None:
    page = "<html><title>Login</title></html>"
    emulator.control.inject_fault(
        "GET", API, "raw", status=200, body=page, content_type="text/html"
    )
    error = raised.expect(UnexpectedResponseError, client.list_workflows)
    assert "GET /api/v1/workflows" in str(error) and "HTML" in str(error)
    assert calls(emulator, LIST, 1) == 1


def test_a_server_rate_limit_is_absorbed(client: ThenaClient, emulator: Any) -> None:
    emulator.control.configure(rate_limit={"limit": 5, "window_seconds": 1})
    for _ in range(8):
        client.list_events()
    assert calls(emulator, f"GET {API}/registry/events", 8) >= 8


# --- pagination and concurrency ---------------------------------------------------------------


def test_pagination_over_three_pages(client: ThenaClient, emulator: Any) -> None:
    created = {client.create_workflow(definition(f"wf {i}")).unique_identifier for i in range(45)}
    before = calls(emulator, LIST)
    pages = client.iter_workflows(page_size=20)
    listed = [workflow.unique_identifier for workflow in pages]
    assert len(listed) == 45 and set(listed) == created
    assert pages.pages_fetched == 4  # page 0 (400: the emulator counts from 1), then 1, 2, 3
    assert calls(emulator, LIST, before + 4) - before == 4
    again = client.iter_workflows(page_size=20)
    assert len(list(again)) == 45 and again.pages_fetched == 3  # the base is known now


def test_four_threads_share_one_client(client: ThenaClient, emulator: Any) -> None:
    failures: list[BaseException] = []

    def work(thread: int) -> None:
        try:
            for i in range(5):
                uid = client.create_workflow(definition(f"t{thread}-{i}")).unique_identifier
                client.get_workflow(uid)
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(stored(emulator)) == 20
    assert client.stats.snapshot()["byRoute"]["POST /api/v1/workflows"] == 20


def test_the_fixture_client_works(emulator: Any) -> None:
    assert isinstance(emulator.client, ThenaClient)
    assert emulator.client.list_workflows() == []
    assert emulator.api_key not in repr(emulator.client)


# --- the emulator's answer shapes: page base, limit cap, order, empty bodies (U-12, U-24, U-25)

SHAPES = [
    pytest.param(base, cap, order, id=f"base{base}-cap{cap}-{order}")
    for base in (0, 1)
    for cap in (100, 20)
    for order in ("asc", "desc")
]


def make(client: ThenaClient, count: int) -> set[str]:
    return {client.create_workflow(definition(f"wf {i}")).unique_identifier for i in range(count)}


@pytest.mark.parametrize(("base", "cap", "order"), SHAPES)
@pytest.mark.parametrize("count", [0, 21, 45])
def test_every_workflow_is_listed_once_whatever_the_paging(
    client: ThenaClient, emulator: Any, base: int, cap: int, order: str, count: int
) -> None:
    emulator.control.configure(page_base=base, limit_cap=cap, order=order)
    created = make(client, count)
    before = calls(emulator, LIST)
    pages = client.iter_workflows()
    listed = [w.unique_identifier for w in pages]
    assert sorted(listed) == sorted(created)
    expected = list_pages(count, min(100, cap), page_base=base)
    assert pages.pages_fetched == expected
    assert calls(emulator, LIST, before + expected) - before == expected
    assert client.page_base == (base if count else None)


@pytest.mark.parametrize(("base", "order"), [(0, "desc"), (1, "desc"), (0, "asc"), (1, "asc")])
def test_workflows_created_while_listing_shift_nothing_out(
    client: ThenaClient, emulator: Any, base: int, order: str
) -> None:
    emulator.control.configure(page_base=base, limit_cap=20, order=order)
    created = make(client, 45)
    pages = client.iter_workflows()
    listed = [next(pages).unique_identifier for _ in range(20)]  # the first page, no more
    make(client, 3)  # someone else creates meanwhile: newest first, everything shifts
    listed += [w.unique_identifier for w in pages]
    assert len(listed) == len(set(listed))
    assert created <= set(listed)


def test_a_toggle_and_a_delete_without_a_body(client: ThenaClient, emulator: Any) -> None:
    emulator.control.configure(empty_bodies=True)
    uid = client.create_workflow(definition()).unique_identifier
    assert client.toggle_workflow(uid) is None
    assert client.get_workflow(uid).is_active is False
    client.delete_workflow(uid)
    assert stored(emulator) == []
