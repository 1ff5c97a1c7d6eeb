"""ThenaClient over httpx.MockTransport: what a real server cannot easily be made to send."""

from __future__ import annotations

import json
import logging
import pickle
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from pulumi_thena.client import (
    AmbiguousWriteError,
    ApiPaths,
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RetryPolicy,
    ThenaClient,
    ThenaError,
    ThenaTimeoutError,
    UnexpectedResponseError,
)
from pulumi_thena.models import (
    ExecutionStatus,
    FilterOperatorCatalog,
    RegistryActivity,
    RegistryEvent,
    Workflow,
    WorkflowExecution,
    WorkflowTask,
)
from tests.client.fakes import (
    API_KEY,
    BASE_URL,
    FakeClock,
    Script,
    activity_json,
    catalog_json,
    error_json,
    event_json,
    execution_json,
    make_client,
    ok,
    raw,
    task_json,
    workflow_json,
)

# --- each endpoint sends the right request --------------------------------------------------

Call = Callable[[ThenaClient], object]

REQUESTS: list[tuple[str, Call, Any, str, str, dict[str, str]]] = [
    (
        "E1",
        lambda c: c.get_filter_operators(),
        catalog_json(),
        "GET",
        "/api/v1/workflows/filter-operators",
        {},
    ),
    (
        "E2",
        lambda c: c.create_workflow({"name": "n"}),
        workflow_json(),
        "POST",
        "/api/v1/workflows",
        {},
    ),
    (
        "E3",
        lambda c: c.delete_workflow("wf-1"),
        workflow_json(),
        "DELETE",
        "/api/v1/workflows/wf-1",
        {},
    ),
    (
        "E4",
        lambda c: c.list_activities("team-1"),
        [activity_json()],
        "GET",
        "/api/v1/workflows/registry/activities",
        {"teamId": "team-1"},
    ),
    (
        "E5",
        lambda c: c.list_executions("wf-1", version=2, status="FAILED"),
        [execution_json()],
        "GET",
        "/api/v1/workflows/executions",
        {"workflowId": "wf-1", "version": "2", "status": "FAILED"},
    ),
    (
        "E6",
        lambda c: c.list_tasks("ex-1"),
        [task_json()],
        "GET",
        "/api/v1/workflows/ex-1/tasks",
        {},
    ),
    (
        "E7",
        lambda c: c.list_workflows(
            team_id="t", type="MANUAL", sub_types=["WORKFLOW", "AI_AGENT"], page_size=10
        ),
        [],  # an empty org: page 0 (the page base, U-24), then page 1
        "GET",
        "/api/v1/workflows",
        {
            "teamId": "t",
            "type": "MANUAL",
            "subTypes": "WORKFLOW,AI_AGENT",
            "page": "1",
            "limit": "10",
        },
    ),
    (
        "E8",
        lambda c: c.get_workflow("wf-1", version=3),
        workflow_json(),
        "GET",
        "/api/v1/workflows/wf-1",
        {"version": "3"},
    ),
    (
        "E9",
        lambda c: c.list_events(),
        [event_json()],
        "GET",
        "/api/v1/workflows/registry/events",
        {},
    ),
    (
        "E10",
        lambda c: c.toggle_workflow("wf-1"),
        workflow_json(),
        "POST",
        "/api/v1/workflows/wf-1/toggle",
        {},
    ),
    (
        "E11",
        lambda c: c.update_workflow("wf-1", {"name": "m"}),
        workflow_json(),
        "PATCH",
        "/api/v1/workflows/wf-1",
        {},
    ),
]


@pytest.mark.parametrize(
    ("call", "body", "method", "path", "query"),
    [pytest.param(*case[1:], id=case[0]) for case in REQUESTS],
)
def test_each_endpoint_sends_method_path_query_and_key(
    call: Call, body: Any, method: str, path: str, query: dict[str, str]
) -> None:
    script = Script(ok(body))
    call(make_client(script))
    *before, request = script.requests
    listing = (method, path) == ("GET", "/api/v1/workflows")
    assert [r.url.params.get("page") for r in before] == (["0"] if listing else [])
    assert request.method == method
    assert request.url.path == path
    assert dict(request.url.params) == query
    assert request.headers["x-api-key"] == API_KEY
    assert request.headers["user-agent"].startswith("pulumi-thena")


def test_create_and_update_send_the_body_as_json() -> None:
    script = Script(ok(workflow_json(), 201))
    client = make_client(script)
    created = client.create_workflow({"name": "n", "workflowDefinition": []})
    assert json.loads(script.requests[0].content) == {"name": "n", "workflowDefinition": []}
    assert script.requests[0].headers["content-type"] == "application/json"
    assert isinstance(created, Workflow) and created.unique_identifier == "wf-1"
    client.update_workflow("wf-1", {"name": "m"})
    assert json.loads(script.requests[1].content) == {"name": "m"}


def test_toggle_sends_no_body() -> None:
    script = Script(ok(workflow_json(isActive=False)))
    assert make_client(script).toggle_workflow("wf-1").is_active is False
    assert script.requests[0].content == b""


def test_path_parameters_are_url_encoded() -> None:
    script = Script(ok(workflow_json("a/b c")))
    make_client(script).get_workflow("a/b c")
    assert script.requests[0].url.raw_path == b"/api/v1/workflows/a%2Fb%20c"


def test_execution_window_is_sent_as_iso_utc() -> None:
    script = Script(ok([]))
    since = datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    until = datetime(2024, 5, 2, 8, 30, 15)  # naive: taken as UTC
    make_client(script).list_executions("wf-1", since=since, until=until)
    params = script.requests[0].url.params
    assert params["from"] == "2024-05-01T10:00:00.000Z"
    assert params["to"] == "2024-05-02T08:30:15.000Z"


def test_overridden_paths_are_used() -> None:
    script = Script(ok(workflow_json()))
    paths = ApiPaths(toggle="/api/v2/flows/{unique_identifier}/activate")
    make_client(script, paths=paths).toggle_workflow("wf-1")
    assert script.requests[0].url.path == "/api/v2/flows/wf-1/activate"


def test_a_base_url_with_a_prefix_keeps_it() -> None:
    script = Script(ok([]))
    ThenaClient(
        "https://proxy.test/thena/",
        API_KEY,
        transport=httpx.MockTransport(script),
        rate_limit_rps=None,
    ).list_events()
    assert (
        str(script.requests[0].url) == "https://proxy.test/thena/api/v1/workflows/registry/events"
    )


def test_empty_identifiers_are_refused_before_any_request() -> None:
    script = Script(ok(workflow_json()))
    client = make_client(script)
    for call in (
        lambda: client.get_workflow(""),
        lambda: client.delete_workflow(""),
        lambda: client.toggle_workflow(""),
        lambda: client.update_workflow("", {"name": "x"}),
        lambda: client.list_tasks(""),
        lambda: client.list_executions(""),
    ):
        with pytest.raises(ValueError):
            call()
    assert script.count == 0


# --- list envelopes for every list method ---------------------------------------------------

LISTS: list[tuple[str, Call, dict[str, Any], type]] = [
    ("activities", lambda c: c.list_activities(), activity_json(), RegistryActivity),
    ("events", lambda c: c.list_events(), event_json(), RegistryEvent),
    ("executions", lambda c: c.list_executions("wf-1"), execution_json(), WorkflowExecution),
    ("tasks", lambda c: c.list_tasks("ex-1"), task_json(), WorkflowTask),
    ("workflows", lambda c: c.list_workflows(), workflow_json(), Workflow),
]
ENVELOPES: list[tuple[str, Callable[[list[Any]], Any]]] = [
    ("bare", lambda items: items),
    ("data", lambda items: {"data": items}),
    ("items", lambda items: {"items": items}),
    ("results", lambda items: {"results": items, "total": len(items)}),
    ("platform", lambda items: {"status": True, "message": "ok", "data": items}),
]


@pytest.mark.parametrize(("call", "item", "model"), [pytest.param(*c[1:], id=c[0]) for c in LISTS])
@pytest.mark.parametrize("wrap", [pytest.param(e[1], id=e[0]) for e in ENVELOPES])
def test_every_list_envelope_is_unwrapped(
    call: Call, item: dict[str, Any], model: type, wrap: Callable[[list[Any]], Any]
) -> None:
    second = {**item, "id": "second", "uniqueIdentifier": "second", "uid": "second"}
    result = call(make_client(Script(ok(wrap([item, second])))))
    assert isinstance(result, list) and len(result) == 2
    assert all(isinstance(entry, model) for entry in result)


@pytest.mark.parametrize(("call", "item", "model"), [pytest.param(*c[1:], id=c[0]) for c in LISTS])
def test_a_single_object_is_a_one_item_list(call: Call, item: dict[str, Any], model: type) -> None:
    result = call(make_client(Script(ok(item))))
    assert isinstance(result, list) and len(result) == 1 and isinstance(result[0], model)


@pytest.mark.parametrize(("call", "item", "model"), [pytest.param(*c[1:], id=c[0]) for c in LISTS])
def test_an_empty_list_is_fine(call: Call, item: dict[str, Any], model: type) -> None:
    assert call(make_client(Script(ok({"data": []})))) == []


# --- bodies a 2xx should never have ----------------------------------------------------------

BAD_BODIES = [
    (
        "html",
        raw(200, "<!DOCTYPE html><html><title>Sign in</title></html>", "text/html"),
        "HTML error page (Sign in) instead of JSON",
    ),
    ("empty", raw(200, ""), "empty body"),
    ("invalid-json", raw(200, '{"uniqueIdentifier": "wf-1",', "application/json"), "invalid JSON"),
    ("string", ok("ok"), "expected a JSON"),
    ("number", ok(42), "expected a JSON"),
]
# Delete ignores any body; toggle may answer without one (U-25, tested below).
UNUSABLE = [
    pytest.param(call, method, path, response, problem, id=f"{body_id}-{call_id}")
    for call_id, call, _, method, path, _ in REQUESTS
    for body_id, response, problem in BAD_BODIES
    if call_id != "E3" and (call_id, body_id) != ("E10", "empty")
]


@pytest.mark.parametrize(("call", "method", "path", "response", "problem"), UNUSABLE)
def test_an_unusable_success_body_is_an_unexpected_response(
    call: Call, method: str, path: str, response: httpx.Response, problem: str
) -> None:
    with pytest.raises(UnexpectedResponseError) as caught:
        call(make_client(Script(response)))
    assert f"{method} {path}" in str(caught.value)
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    ("call", "body", "where"),
    [
        (lambda c: c.get_workflow("wf-1"), {"name": "no id"}, "uniqueIdentifier"),
        (lambda c: c.get_workflow("wf-1"), [workflow_json()], "expected a JSON object"),
        (lambda c: c.list_workflows(), [workflow_json(), {"name": "x"}], "[1].uniqueIdentifier"),
        (lambda c: c.list_executions("wf"), [{"status": "FINISHED"}], "[0].id"),
        (lambda c: c.list_tasks("ex"), [task_json(isRetry="maybe")], "[0].isRetry"),
        (lambda c: c.get_filter_operators(), {"operators": "all"}, "operators"),
        (lambda c: c.list_events(), {"data": {"uid": "x"}}, "under 'data'"),
    ],
)
def test_a_wrong_shape_names_the_endpoint_and_the_problem(
    call: Call, body: Any, where: str
) -> None:
    with pytest.raises(UnexpectedResponseError) as caught:
        call(make_client(Script(ok(body))))
    assert "GET /api/v1/workflows" in str(caught.value)
    assert where in str(caught.value)


def test_delete_ignores_any_success_body() -> None:
    for response in (raw(200, "<html>done</html>", "text/html"), raw(204, ""), ok("deleted")):
        make_client(Script(response)).delete_workflow("wf-1")


@pytest.mark.parametrize(
    "response", [raw(204, ""), raw(200, ""), raw(200, " \n")], ids=["204", "200", "whitespace"]
)
def test_a_toggle_without_a_body_answers_none(response: httpx.Response) -> None:
    script = Script(response)
    assert make_client(script).toggle_workflow("wf-1") is None
    assert script.count == 1  # no second toggle: the caller reads the state (U-25)


def test_a_toggle_with_a_body_answers_the_workflow() -> None:
    toggled = make_client(Script(ok(workflow_json(isActive=False)))).toggle_workflow("wf-1")
    assert toggled is not None and toggled.is_active is False


# --- tolerant parsing ------------------------------------------------------------------------


def test_unknown_fields_are_kept_and_missing_optional_fields_are_fine() -> None:
    script = Script(ok({"uniqueIdentifier": "wf-1", "brandNewField": {"x": 1}}))
    workflow = make_client(script).get_workflow("wf-1")
    assert workflow.model_extra == {"brandNewField": {"x": 1}}
    assert workflow.version is None and workflow.trigger_event is None


def test_unknown_status_values_do_not_fail() -> None:
    client = make_client(
        Script(ok([execution_json(status="COMPLETED")]), ok([task_json(status="RUNNING")]))
    )
    (execution,) = client.list_executions("wf-1")
    assert execution.status == "COMPLETED"
    assert not isinstance(execution.status, ExecutionStatus)
    (task,) = client.list_tasks("ex-1")
    assert task.status == "RUNNING"


def test_known_status_values_become_enums() -> None:
    (execution,) = make_client(Script(ok([execution_json(status="SUSPENDED")]))).list_executions(
        "w"
    )
    assert execution.status is ExecutionStatus.SUSPENDED


def test_the_filter_catalogue_parses() -> None:
    catalog = make_client(Script(ok(catalog_json()))).get_filter_operators()
    assert isinstance(catalog, FilterOperatorCatalog)
    assert catalog.names() == {"~eq", "~and", "~or"}


# --- error statuses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, InvalidInputError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, InvalidInputError),
    ],
)
def test_error_statuses_raise_their_class_at_once(status: int, cls: type[ThenaError]) -> None:
    script = Script(ok(error_json(status, "first problem", "second problem"), status))
    with pytest.raises(cls) as caught:
        make_client(script).update_workflow("wf-1", {"name": ""})
    text = str(caught.value)
    assert f"PATCH /api/v1/workflows/wf-1 -> {status}" in text
    assert "first problem; second problem" in text
    assert script.count == 1


def test_invalid_input_carries_the_servers_messages() -> None:
    body = error_json(400, "name should not be empty", "workflowDefinition must be an array")
    with pytest.raises(InvalidInputError) as caught:
        make_client(Script(ok(body, 400))).create_workflow({})
    assert caught.value.messages == [
        "name should not be empty",
        "workflowDefinition must be an array",
    ]


def test_an_html_error_page_is_summarised() -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body>" + "x" * 5000 + "</body></html>"
    with pytest.raises(NotFoundError) as caught:
        make_client(Script(raw(404, page, "text/html"))).get_workflow("wf-1")
    assert "HTML error page (502 Bad Gateway)" in str(caught.value)
    assert "xxxx" not in str(caught.value)


def test_a_plain_text_error_is_cut_to_200_characters() -> None:
    text = "upstream says no " * 50
    with pytest.raises(PermissionDeniedError) as caught:
        make_client(Script(raw(403, text))).list_events()
    assert caught.value.messages[0].startswith("upstream says no")
    assert len(caught.value.messages[0]) <= 203


def test_an_error_body_without_message_uses_its_error_field_or_nothing() -> None:
    with pytest.raises(InvalidInputError) as caught:
        make_client(Script(ok({"statusCode": 400, "error": "Bad Request"}, 400))).list_events()
    assert caught.value.messages == ["Bad Request"]
    with pytest.raises(AuthenticationError) as empty:
        make_client(Script(raw(401, ""))).list_events()
    assert empty.value.messages == []
    assert str(empty.value).startswith("GET /api/v1/workflows/registry/events -> 401 Unauthorized")


# --- retries through the client ---------------------------------------------------------------


def test_a_503_on_get_is_retried_and_counted() -> None:
    clock = FakeClock()
    script = Script(ok(error_json(503, "busy"), 503), ok(workflow_json()))
    client = make_client(script, clock)
    client.get_workflow("wf-1")
    assert script.count == 2
    stats = client.stats.snapshot()
    assert stats["byRoute"] == {"GET /api/v1/workflows/{unique_identifier}": 2}
    assert stats["retries"] == 1


def test_429_with_retry_after_on_post_is_retried_after_waiting() -> None:
    clock = FakeClock()
    limited = ok(error_json(429, "Too Many Requests"), 429, headers={"Retry-After": "3"})
    script = Script(limited, ok(workflow_json(), 201))
    client = make_client(script, clock)
    client.create_workflow({"name": "n"})
    assert script.count == 2
    assert clock.sleeps == [3]
    assert client.stats.status_429 == 1


def test_429_with_reset_header_waits_until_reset() -> None:
    clock = FakeClock()
    reset = str(int(clock.wall() + 8))
    limited = ok(
        error_json(429, "slow"),
        429,
        headers={"X-RateLimit-Reset": reset, "X-RateLimit-Remaining": "0"},
    )
    script = Script(limited, ok(workflow_json()))
    make_client(script, clock).toggle_workflow("wf-1")
    assert sum(clock.sleeps) == pytest.approx(8)


def test_429_waits_for_retry_after_not_for_a_distant_window_reset() -> None:
    clock = FakeClock()
    headers = {
        "Retry-After": "1",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(int(clock.wall() + 60)),
    }
    script = Script(ok(error_json(429, "slow"), 429, headers=headers), ok(workflow_json(), 201))
    make_client(script, clock).create_workflow({"name": "n"})
    assert sum(clock.sleeps) == pytest.approx(1)


def test_rate_limit_exhausted_raises_with_retry_after() -> None:
    limited = ok(error_json(429, "slow"), 429, headers={"Retry-After": "1"})
    client = make_client(Script(limited), retry=RetryPolicy(max_attempts=2))
    with pytest.raises(RateLimitedError) as caught:
        client.list_events()
    assert caught.value.retry_after == 1


@pytest.mark.parametrize(
    "failure",
    [ok(error_json(503, "x"), 503), httpx.ReadTimeout("t"), httpx.RemoteProtocolError("d")],
    ids=["503", "read-timeout", "dropped"],
)
@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.create_workflow({"name": "n"}),
        lambda c: c.update_workflow("wf-1", {"a": 1}),
        lambda c: c.toggle_workflow("wf-1"),
    ],
    ids=["create", "update", "toggle"],
)
def test_writes_with_unknown_outcome_raise_ambiguous_without_retry(
    call: Call, failure: httpx.Response | Exception
) -> None:
    script = Script(failure, ok(workflow_json()))
    client = make_client(script)
    with pytest.raises(AmbiguousWriteError):
        call(client)
    assert script.count == 1
    assert client.stats.snapshot()["ambiguousWrites"] == 1


def test_a_refused_connection_is_retried_for_writes_too() -> None:
    script = Script(
        httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), ok(workflow_json())
    )
    make_client(script).create_workflow({"name": "n"})
    assert script.count == 3


def test_read_timeouts_on_get_exhaust_into_a_timeout_error() -> None:
    script = Script(httpx.ReadTimeout("timed out"))
    with pytest.raises(ThenaTimeoutError):
        make_client(script, retry=RetryPolicy(max_attempts=3)).get_workflow("wf-1")
    assert script.count == 3


def test_server_reporting_no_remaining_requests_pauses_the_next_request() -> None:
    clock = FakeClock()
    reset = str(int(clock.wall() + 5))
    script = Script(
        ok([], headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}), ok([])
    )
    client = make_client(script, clock)
    client.list_events()
    assert clock.sleeps == []
    client.list_events()
    assert clock.sleeps == [pytest.approx(5)]


def test_the_client_paces_itself_with_its_rate_limit() -> None:
    clock = FakeClock()
    client = make_client(Script(ok([])), clock, rate_limit_rps=2)
    for _ in range(4):
        client.list_events()
    assert clock.sleeps == [pytest.approx(0.5), pytest.approx(0.5)]


# --- the key never leaks ------------------------------------------------------------------------


def echo_key(status: int) -> Callable[[httpx.Request], httpx.Response]:
    """A hostile server that repeats the caller's key in its error body."""

    def handler(request: httpx.Request) -> httpx.Response:
        key = request.headers["x-api-key"]
        return ok(error_json(status, f"bad key {key}", f"headers: x-api-key={key}"), status)

    return handler


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 429, 500])
def test_a_key_echoed_by_the_server_is_scrubbed(status: int) -> None:
    client = make_client(echo_key(status), retry=RetryPolicy(max_attempts=1))
    errors: list[BaseException] = []
    calls: list[Call] = [lambda c: c.get_workflow("wf-1"), lambda c: c.create_workflow({})]
    for call in calls:
        with pytest.raises(ThenaError) as caught:
            call(client)
        errors.append(caught.value)
    for raised in errors:
        assert_no_key(raised)
        assert "***" in str(raised)


def assert_no_key(error: BaseException) -> None:
    seen: BaseException | None = error
    while seen is not None:
        for text in (
            str(seen),
            repr(seen),
            str(seen.args),
            repr(pickle.loads(pickle.dumps(error))),
        ):
            assert API_KEY not in text
        cause = getattr(seen, "cause", None)
        if isinstance(cause, BaseException):
            assert API_KEY not in str(cause) and API_KEY not in repr(cause)
        seen = seen.__cause__ or seen.__context__


def test_the_client_repr_hides_the_key() -> None:
    client = make_client(Script(ok([])))
    assert API_KEY not in repr(client) and API_KEY not in str(client)
    assert repr(client) == f"ThenaClient(base_url={BASE_URL!r})"
    assert API_KEY not in repr(vars(client))
    assert API_KEY not in repr(client._http.headers)


def test_logs_never_carry_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    script = Script(ok(error_json(503, "x"), 503), ok(error_json(401, "no"), 401))
    with pytest.raises(AuthenticationError):
        make_client(script).list_events()
    assert any(r.name == "pulumi_thena.client" for r in caplog.records)
    assert API_KEY not in caplog.text


def test_the_api_key_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THENA_API_KEY", raising=False)
    with pytest.raises(ValueError, match="THENA_API_KEY"):
        ThenaClient(BASE_URL)
    monkeypatch.setenv("THENA_API_KEY", "from-env-key-123")
    script = Script(ok([]))
    ThenaClient(BASE_URL, transport=httpx.MockTransport(script), rate_limit_rps=None).list_events()
    assert script.requests[0].headers["x-api-key"] == "from-env-key-123"


def test_rate_limit_comes_from_env_unless_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THENA_RATE_LIMIT_RPS", "3")
    assert ThenaClient("https://env.test", API_KEY).rate_limiter.rate == 3
    assert ThenaClient("https://env.test", API_KEY, rate_limit_rps=7).rate_limiter.rate == 7
    monkeypatch.setenv("THENA_RATE_LIMIT_RPS", "off")
    assert ThenaClient("https://env.test", API_KEY).rate_limiter.rate is None
    monkeypatch.delenv("THENA_RATE_LIMIT_RPS")
    assert ThenaClient("https://env.test", API_KEY).rate_limiter.rate == 10


def test_clients_of_one_api_share_a_limiter() -> None:
    a = ThenaClient("https://shared-client.test", API_KEY, rate_limit_rps=4)
    b = ThenaClient("https://shared-client.test/", API_KEY, rate_limit_rps=4)
    assert a.rate_limiter is b.rate_limiter


def test_context_manager_closes() -> None:
    with make_client(Script(ok([]))) as client:
        client.list_events()
    with pytest.raises(RuntimeError):
        client.list_events()


def test_threads_share_one_client() -> None:
    client = make_client(Script(ok(workflow_json())))
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(25):
                client.get_workflow("wf-1")
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert client.stats.requests() == 100
    assert client.stats.snapshot()["byStatus"] == {200: 100}


def test_stats_reset() -> None:
    client = make_client(Script(ok([])))
    client.list_events()
    client.stats.reset()
    assert client.stats.snapshot()["total"] == 0
