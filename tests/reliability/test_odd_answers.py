"""Odd API answers at the provider level: correct behaviour, or a clear error naming the endpoint.

Client-level parsing of each shape is covered in tests/client; here the question is what the
provider does with it: refresh (read) and the ownership lookup before a create see the org
listing through the emulator's "raw" fault; answers the emulator cannot give (a write that
lands but answers garbage, a listing without ``isActive``) come from an httpx transport that
forwards to the emulator and rewrites one answer. After an unreadable answer no write may follow,
and no error may carry the API key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pulumi_thena.client import ThenaClient
from pulumi_thena.diff import changed_fields
from pulumi_thena.resources import Session, Settings, WorkflowError, WorkflowProvider, use_session
from tests.fixtures import small
from tests.support import Calls, fresh_session

LIST_PATH = "/api/v1/workflows"
OWNER = "thena-workflows/rel/escalation"
HTML_PAGE = "<!doctype html><html><head><title>502 Bad Gateway</title></head><body>nginx</body>"
EXTRA_FIELDS = {"archivedAt": None, "labels": ["x"], "stats": {"runs": 3}}
OPTIONAL_FIELDS = ("uid", "createdAt", "updatedAt", "createdBy")


def props(**overrides: Any) -> dict[str, Any]:
    return {**small(**overrides), "owner": OWNER, "adoptExisting": False, "isActive": True}


def checked(provider: WorkflowProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, news)
    assert result.failures == []
    return result.inputs


def created(provider: WorkflowProvider, emulator: Any) -> tuple[str, dict[str, Any]]:
    """One workflow made through the provider; the next call starts a fresh process."""
    result = provider.create(checked(provider, props()))
    assert result.outs is not None
    fresh_session(emulator)
    return result.id, result.outs


def answer_listing(emulator: Any, body: Any, status: int = 200, content_type: str = "") -> None:
    """The next GET of the org listing answers ``body`` (JSON-encoded unless a string)."""
    text = body if isinstance(body, str) else json.dumps(body)
    kind = content_type or ("application/json" if not isinstance(body, str) else "text/plain")
    emulator.control.inject_fault(
        "GET", LIST_PATH, "raw", status=status, body=text, content_type=kind
    )


def live_docs(emulator: Any) -> list[dict[str, Any]]:
    return list(emulator.control.workflows())


def assert_clear(error: BaseException, endpoint: str, emulator: Any) -> None:
    message = str(error)
    assert isinstance(error, WorkflowError), repr(error)
    assert endpoint in message, message
    assert "Escalation comment" in message and emulator.api_key not in message


# Listing envelopes (SPEC U-1) during refresh ----------------------------------------------

ENVELOPES: dict[str, Callable[[list[dict[str, Any]]], Any]] = {
    "bare": lambda docs: docs,
    "data": lambda docs: {"data": docs},
    "items": lambda docs: {"items": docs, "total": len(docs)},
    "results": lambda docs: {"results": docs, "page": 1},
    "single object": lambda docs: docs[0],
}


@pytest.mark.parametrize("envelope", list(ENVELOPES))
def test_refresh_reads_every_list_envelope(
    envelope: str, provider: WorkflowProvider, thena_emulator: Any, calls: Calls
) -> None:
    id_, outs = created(provider, thena_emulator)
    answer_listing(thena_emulator, ENVELOPES[envelope](live_docs(thena_emulator)))
    calls.reset()
    result = provider.read(id_, outs)
    assert result.id == id_ and result.outs is not None
    assert changed_fields(result.outs, outs) == []
    assert result.outs["version"] == 1 and calls.writes() == {}


def test_extra_fields_and_missing_optional_fields_read_as_no_drift(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    id_, outs = created(provider, thena_emulator)
    docs = live_docs(thena_emulator)
    for doc in docs:
        doc.update(EXTRA_FIELDS)
        doc["workflowDefinition"][0]["serverOnly"] = {"x": 1}
        for name in OPTIONAL_FIELDS:
            doc.pop(name, None)
    answer_listing(thena_emulator, docs)
    result = provider.read(id_, outs)
    assert result.outs is not None and changed_fields(result.outs, outs) == []


def test_an_html_error_page_on_a_read_is_retried(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    id_, outs = created(provider, thena_emulator)
    answer_listing(thena_emulator, HTML_PAGE, status=502, content_type="text/html")
    result = provider.read(id_, outs)
    assert result.id == id_


# Unreadable listings: an error naming the endpoint, and no write after it ------------------

UNREADABLE: dict[str, tuple[Any, str]] = {
    "HTML page with 200": (HTML_PAGE, "text/html"),
    "empty body": ("", "application/json"),
    "invalid JSON": ('[{"uniqueIdentifier": "W1", ', "application/json"),
    "wrong shape: a number": (42, ""),
    "wrong shape: data is not a list": ({"data": {"workflows": []}}, ""),
    "wrong shape: items without ids": ([{"name": "no id"}], ""),
}


@pytest.mark.parametrize("case", list(UNREADABLE))
def test_an_unreadable_listing_fails_refresh_clearly(
    case: str, provider: WorkflowProvider, thena_emulator: Any
) -> None:
    id_, outs = created(provider, thena_emulator)
    body, kind = UNREADABLE[case]
    answer_listing(thena_emulator, body, content_type=kind)
    with pytest.raises(WorkflowError) as caught:
        provider.read(id_, outs)
    assert_clear(caught.value, f"GET {LIST_PATH}", thena_emulator)


@pytest.mark.parametrize("case", list(UNREADABLE))
def test_an_unreadable_listing_before_create_makes_no_write(
    case: str, provider: WorkflowProvider, thena_emulator: Any, calls: Calls
) -> None:
    inputs = checked(provider, props())
    body, kind = UNREADABLE[case]
    answer_listing(thena_emulator, body, content_type=kind)
    calls.reset()
    with pytest.raises(WorkflowError) as caught:
        provider.create(inputs)
    assert_clear(caught.value, f"GET {LIST_PATH}", thena_emulator)
    assert calls.writes() == {} and live_docs(thena_emulator) == []


# Answers only a transport can give -------------------------------------------------------


Rewrite = Callable[[httpx.Response], httpx.Response]


class Rewriting(httpx.BaseTransport):
    """Forwards to the emulator, then replaces the success answers of matching requests (once,
    or all); an error answer, such as the 400 to a listing's page 0 (U-24), passes unchanged."""

    def __init__(self, method: str, path: str, rewrite: Rewrite, *, always: bool = False) -> None:
        self._inner = httpx.HTTPTransport()
        self._method, self._path = method, re.compile(path)
        self._rewrite: Rewrite | None = rewrite
        self._always = always

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        matches = request.method == self._method and self._path.fullmatch(request.url.path)
        if self._rewrite is None or not matches or response.status_code >= 400:
            return response
        response.read()
        rewrite = self._rewrite
        if not self._always:
            self._rewrite = None
        return rewrite(response)


def garbled(response: httpx.Response) -> httpx.Response:
    """The change was made; the answer is a proxy's HTML page with the same success status."""
    return httpx.Response(response.status_code, text=HTML_PAGE, headers={"content-type": "html"})


def without_is_active(response: httpx.Response) -> httpx.Response:
    """The same listing or workflow, without ``isActive`` (SPEC 4.4 says it is always there)."""
    body = response.json()
    docs = body if isinstance(body, list) else [body]
    trimmed = [{k: v for k, v in doc.items() if k != "isActive"} for doc in docs]
    return httpx.Response(200, json=trimmed if isinstance(body, list) else trimmed[0])


def rewriting_session(
    emulator: Any, method: str, path: str, rewrite: Rewrite, *, always: bool = False
) -> None:
    """A fresh provider process whose client sees matching answers rewritten."""
    client = ThenaClient(
        base_url=emulator.base_url,
        api_key=emulator.api_key,
        transport=Rewriting(method, path, rewrite, always=always),
    )
    use_session(Session(Settings(api_url=emulator.base_url, api_key=emulator.api_key), client))


def test_a_create_answered_with_garbage_is_not_duplicated(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    inputs = checked(provider, props())
    rewriting_session(thena_emulator, "POST", LIST_PATH, garbled)
    outcome = _create_or_error(provider, inputs)
    fresh_session(thena_emulator)  # the re-run, in a new process
    again = provider.create(inputs)
    [stored] = live_docs(thena_emulator)
    assert again.id == stored["uniqueIdentifier"] and stored["version"] == 1
    assert outcome in ("created", "clear error")


def _create_or_error(provider: WorkflowProvider, inputs: dict[str, Any]) -> str:
    try:
        provider.create(inputs)
    except WorkflowError as error:
        assert "POST /api/v1/workflows" in str(error)
        return "clear error"
    return "created"


def test_a_patch_answered_with_garbage_bumps_the_version_once(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    id_, outs = created(provider, thena_emulator)
    news = checked(provider, props(name="Renamed once"))
    rewriting_session(thena_emulator, "PATCH", f"{LIST_PATH}/{id_}", garbled)
    try:
        outs = provider.update(id_, outs, news).outs or {}
    except WorkflowError as error:
        assert f"PATCH {LIST_PATH}/{id_}" in str(error)
        fresh_session(thena_emulator)  # the re-run starts from the state the failure left
        outs = provider.update(id_, outs, news).outs or {}
    [stored] = live_docs(thena_emulator)
    assert stored["name"] == "Renamed once" and stored["version"] == 2
    assert outs["version"] == 2


def test_a_toggle_answered_with_garbage_is_not_flipped_back(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    id_, outs = created(provider, thena_emulator)
    news = {**checked(provider, props()), "isActive": False}
    rewriting_session(thena_emulator, "POST", f"{LIST_PATH}/{id_}/toggle", garbled)
    try:
        outs = provider.update(id_, outs, news).outs or {}
    except WorkflowError:
        fresh_session(thena_emulator)
        outs = provider.update(id_, outs, news).outs or {}
    [stored] = live_docs(thena_emulator)
    assert stored["isActive"] is False and outs["isActive"] is False


def test_a_listing_without_is_active_never_skips_a_toggle_silently(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    id_, outs = created(provider, thena_emulator)
    news = {**checked(provider, props()), "isActive": False}
    rewriting_session(thena_emulator, "GET", LIST_PATH, without_is_active)
    result = provider.update(id_, outs, news).outs or {}
    [stored] = live_docs(thena_emulator)
    assert stored["isActive"] is result["isActive"] is False


def test_activation_that_no_answer_reports_is_an_error_not_a_guess(
    provider: WorkflowProvider, thena_emulator: Any, calls: Calls
) -> None:
    id_, outs = created(provider, thena_emulator)
    news = {**checked(provider, props()), "isActive": False}
    rewriting_session(thena_emulator, "GET", f"{LIST_PATH}(/.+)?", without_is_active, always=True)
    calls.reset()
    with pytest.raises(WorkflowError) as caught:
        provider.update(id_, outs, news)
    assert_clear(caught.value, f"GET {LIST_PATH}/{id_}", thena_emulator)
    assert "isActive" in str(caught.value) and calls.writes() == {}
    assert live_docs(thena_emulator)[0]["isActive"] is True
