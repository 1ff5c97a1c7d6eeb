"""The error tree: classes per status, messages that explain, and no API key anywhere."""

from __future__ import annotations

import pickle

import pytest

from pulumi_thena.client import (
    AmbiguousWriteError,
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    ThenaApiError,
    ThenaError,
    ThenaTimeoutError,
    ThenaTransportError,
    UnexpectedResponseError,
)
from pulumi_thena.client.errors import api_error_class, register_secret


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, InvalidInputError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (405, ThenaApiError),
        (409, ConflictError),
        (410, ThenaApiError),
        (422, InvalidInputError),
        (429, RateLimitedError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (599, ServerError),
    ],
)
def test_each_status_maps_to_its_class(status: int, cls: type[ThenaApiError]) -> None:
    assert api_error_class(status) is cls


def test_the_tree_is_as_documented() -> None:
    for cls in (ThenaTransportError, ThenaApiError, AmbiguousWriteError, UnexpectedResponseError):
        assert issubclass(cls, ThenaError)
    assert issubclass(ThenaTimeoutError, ThenaTransportError)
    for cls in (
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        InvalidInputError,
        ConflictError,
        RateLimitedError,
        ServerError,
    ):
        assert issubclass(cls, ThenaApiError)


def test_api_error_message_names_method_path_status_and_messages() -> None:
    error = InvalidInputError("POST", "/api/v1/workflows", 400, ["name is required", "bad step"])
    text = str(error)
    assert "POST /api/v1/workflows -> 400 Bad Request" in text
    assert "name is required; bad step" in text
    assert error.messages == ["name is required", "bad step"]
    assert error.status == 400


def test_rate_limited_error_carries_retry_after() -> None:
    error = RateLimitedError("GET", "/x", 429, ["slow down"], retry_after=2.5)
    assert error.retry_after == 2.5
    assert "wait 2.5s" in str(error)


def test_ambiguous_write_error_keeps_its_cause_and_status() -> None:
    cause = ServerError("PATCH", "/api/v1/workflows/wf-1", 503, ["unavailable"])
    error = AmbiguousWriteError("PATCH", "/api/v1/workflows/wf-1", cause)
    assert error.cause is cause
    assert error.status == 503
    assert "PATCH /api/v1/workflows/wf-1" in str(error)
    assert "may or may not have been applied" in str(error)
    timeout = ThenaTimeoutError("POST", "/p", "ReadTimeout: timed out")
    assert AmbiguousWriteError("POST", "/p", timeout).status is None


def test_unexpected_response_error_names_the_endpoint() -> None:
    error = UnexpectedResponseError("GET", "/api/v1/workflows", "empty body", 200)
    assert str(error) == "GET /api/v1/workflows -> 200: unexpected response: empty body"


def test_a_registered_secret_is_scrubbed_from_str_and_repr() -> None:
    secret = "tk_errors_test_secret_42"
    register_secret(secret)
    error = AuthenticationError("GET", "/x", 401, [f"key {secret} is invalid"])
    assert secret not in str(error)
    assert secret not in repr(error)
    assert "key *** is invalid" in str(error)


def test_errors_survive_pickling() -> None:
    error = NotFoundError("GET", "/api/v1/workflows/wf-1", 404, ["not found"])
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is NotFoundError
    assert str(copy) == str(error)
    assert (copy.status, copy.messages, copy.path) == (404, ["not found"], error.path)
    limited = pickle.loads(pickle.dumps(RateLimitedError("GET", "/x", retry_after=1.0)))
    assert limited.retry_after == 1.0
