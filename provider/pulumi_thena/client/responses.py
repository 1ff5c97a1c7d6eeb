"""Turn httpx responses into models or ThenaErrors: JSON decoding, error bodies, validation."""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from pulumi_thena.client.errors import (
    RateLimitedError,
    ThenaApiError,
    UnexpectedResponseError,
    api_error_class,
)
from pulumi_thena.models import ErrorBody

M = TypeVar("M", bound=BaseModel)

EXCERPT_CHARS = 200
MAX_VALIDATION_ERRORS = 3
# The deepest JSON the client reads. A step's input in a listing is 5 levels deep (list, workflow,
# workflowDefinition, step, input); 100 leaves a free-form value about 95 while keeping far below
# Python's recursion limit (the decoder, our canonical form) and pydantic's serialisation (254).
MAX_JSON_DEPTH = 100
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _looks_like_html(response: httpx.Response, text: str) -> bool:
    if "html" in response.headers.get("content-type", "").lower():
        return True
    head = text.lstrip()[:100].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[:EXCERPT_CHARS] + "..."


def _html_summary(text: str) -> str:
    match = _TITLE.search(text)
    title = _excerpt(re.sub(r"<[^>]+>", "", match.group(1))) if match else ""
    return f"HTML error page ({title})" if title else "HTML error page"


class JsonTooDeep(ValueError):
    """JSON nested deeper than MAX_JSON_DEPTH."""

    def __init__(self) -> None:
        super().__init__(
            f"JSON nested deeper than {MAX_JSON_DEPTH} levels, the most the client reads"
        )


def decode_json(content: bytes | str) -> Any:
    """Parsed JSON; ValueError when not JSON, JsonTooDeep when nested deeper than the limit."""
    try:
        payload = json.loads(content)
    except RecursionError:  # the decoder's own guard, far deeper than ours
        raise JsonTooDeep() from None
    if deeper_than(payload, MAX_JSON_DEPTH):
        raise JsonTooDeep()
    return payload


_CONTAINERS = (dict, list)  # a tuple: isinstance checks it faster than ``dict | list``


def deeper_than(payload: Any, limit: int) -> bool:
    """True when ``payload`` nests arrays and objects more than ``limit`` deep.

    A walk of the containers only, depth first: it recurses no deeper than ``limit`` + 1, far
    within Python's own limit for any limit the client uses (``MAX_JSON_DEPTH``). A listing of
    500 workflows holds some 70,000 values, and the walk is on the path of every listing.
    """
    return isinstance(payload, _CONTAINERS) and _deeper(payload, limit)


def _deeper(container: dict[str, Any] | list[Any], room: int) -> bool:
    if room < 1:
        return True
    for value in container.values() if isinstance(container, dict) else container:
        if isinstance(value, _CONTAINERS) and _deeper(value, room - 1):
            return True
    return False


def error_messages(response: httpx.Response) -> list[str]:
    """The server's own words from an error response (U-14 body, else a short text excerpt)."""
    text = response.text
    if not text.strip():
        return []
    if _looks_like_html(response, text):
        return [_html_summary(text)]
    try:
        payload = decode_json(text)
    except ValueError:
        return [_excerpt(text)]
    return _messages_from_json(payload, text)


def _messages_from_json(payload: Any, text: str) -> list[str]:
    if isinstance(payload, dict):
        try:
            body = ErrorBody.model_validate(payload)
        except ValidationError:
            return [_excerpt(text)]
        messages = [message for message in body.messages() if message]
        if messages:
            return messages
        if body.error:
            return [body.error]
    return [_excerpt(text)]


def api_error(
    method: str, path: str, response: httpx.Response, *, retry_after: float | None = None
) -> ThenaApiError:
    """The ThenaApiError for an error status."""
    status = response.status_code
    messages = error_messages(response)
    cls = api_error_class(status)
    if cls is RateLimitedError:
        return RateLimitedError(method, path, status, messages, retry_after=retry_after)
    return cls(method, path, status, messages)


def is_empty(response: httpx.Response) -> bool:
    """True when the answer has no body, or only whitespace (U-25)."""
    return not response.content.strip()


def json_body(method: str, path: str, response: httpx.Response) -> Any:
    """The decoded JSON of a success response, or UnexpectedResponseError saying what came back."""
    status = response.status_code
    if is_empty(response):
        raise UnexpectedResponseError(method, path, "empty body where JSON was expected", status)
    try:
        return decode_json(response.content)
    except JsonTooDeep as exc:
        raise UnexpectedResponseError(method, path, str(exc), status) from None
    except ValueError as exc:
        text = response.text
        problem = (
            f"an {_html_summary(text)} instead of JSON"
            if _looks_like_html(response, text)
            else f"invalid JSON: {_excerpt(text)!r}"
        )
        raise UnexpectedResponseError(method, path, problem, status) from exc


def _describe_validation(exc: ValidationError, index: int | None) -> str:
    problems = []
    for error in exc.errors()[:MAX_VALIDATION_ERRORS]:
        location = ".".join(str(part) for part in error["loc"]) or "(root)"
        if index is not None:
            location = f"[{index}].{location}"
        problems.append(f"{location}: {error['msg']}")
    more = exc.error_count() - MAX_VALIDATION_ERRORS
    if more > 0:
        problems.append(f"and {more} more")
    return "; ".join(problems)


def parse_model(
    model: type[M], payload: Any, method: str, path: str, *, index: int | None = None
) -> M:
    """Validate one object, turning a ValidationError into UnexpectedResponseError."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        problem = f"not a valid {model.__name__}: {_describe_validation(exc, index)}"
        raise UnexpectedResponseError(method, path, problem) from exc


def parse_models(model: type[M], items: list[Any], method: str, path: str) -> list[M]:
    """Validate each item of a list response."""
    return [parse_model(model, item, method, path, index=i) for i, item in enumerate(items)]
