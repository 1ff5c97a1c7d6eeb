"""Every undocumented assumption about the Thena API, in one place (SPEC U-1, U-3, U-4, U-12, U-20).

Correct an assumption here, or override a path without code: per client
(``ApiPaths(toggle="/api/v1/workflows/{unique_identifier}/activate")``), or per stack with
``thena:apiPaths`` or the ``THENA_API_PATHS`` environment variable (``api_paths_from``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from string import Formatter
from typing import Any
from urllib.parse import quote

from pulumi_thena.client.errors import UnexpectedResponseError, scrub

DEFAULT_BASE_URL = "https://workflow-app.thena.ai"

# U-12, U-24: E7 pages count from 0 or from 1 (paging.py finds out which); the server caps
# `limit` at 100 or less (paging.py learns the page size it serves); we ask for 100.
PAGE_BASES = (0, 1)
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 100
# A bound on pages we follow, so a misbehaving server cannot keep us paging forever.
MAX_PAGES = 1_000

# U-1: keys under which an envelope may hold a list.
LIST_ENVELOPE_KEYS = ("data", "items", "results")
# U-1 (extension): keys a platform-style envelope `{status, message, data}` may carry.
OBJECT_ENVELOPE_KEYS = frozenset({"data", "status", "statusCode", "message", "success"})

# U-20: X-RateLimit-Reset is UNIX seconds; a smaller number can only be a delay in seconds.
EPOCH_THRESHOLD = 1_000_000_000

# Placeholders each templated path must contain (and no others).
_PATH_PARAMS: dict[str, frozenset[str]] = {
    "workflow": frozenset({"unique_identifier"}),
    "toggle": frozenset({"unique_identifier"}),
    "tasks": frozenset({"execution_id"}),
}


API_PATHS_SETTING = "thena:apiPaths"
ENV_API_PATHS = "THENA_API_PATHS"


@dataclass(frozen=True)
class ApiPaths:
    """The path of each endpoint (U-3, U-4); ``{name}`` placeholders are URL-encoded on use."""

    filter_operators: str = "/api/v1/workflows/filter-operators"  # E1 (assumed)
    workflows: str = "/api/v1/workflows"  # E2 create, E7 list
    workflow: str = "/api/v1/workflows/{unique_identifier}"  # E3 delete, E8 get, E11 update
    toggle: str = "/api/v1/workflows/{unique_identifier}/toggle"  # E10 (assumed)
    executions: str = "/api/v1/workflows/executions"  # E5
    tasks: str = "/api/v1/workflows/{execution_id}/tasks"  # E6
    activities: str = "/api/v1/workflows/registry/activities"  # E4 (assumed)
    events: str = "/api/v1/workflows/registry/events"  # E9 (assumed)

    def __post_init__(self) -> None:
        for field in fields(self):
            problem = _template_problem(field.name, getattr(self, field.name))
            if problem:
                raise ValueError(f"ApiPaths.{problem}")

    def overrides(self) -> dict[str, str]:
        """The paths that differ from the assumed ones, by name."""
        assumed = ApiPaths()
        return {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if getattr(self, field.name) != getattr(assumed, field.name)
        }


def _template_problem(name: str, template: Any) -> str | None:
    """What is wrong with ``template`` as the path named ``name`` (None when it is fine)."""
    if not isinstance(template, str) or not template.startswith("/"):
        return f"{name} must be a path starting with '/', got {template!r}"
    try:
        found = {part[1] for part in Formatter().parse(template) if part[1] is not None}
    except ValueError as error:  # an unmatched brace
        return f"{name} = {template!r} is not a path template ({error})"
    expected = _PATH_PARAMS.get(name, frozenset())
    if found == expected:
        return None
    want = " and ".join("{" + p + "}" for p in sorted(expected)) or "no placeholder"
    extra = sorted(found - expected)
    also = f"; it has {', '.join('{' + p + '}' for p in extra)}" if extra else ""
    return f"{name} = {template!r} must contain {want}{also}"


_CAMEL = {"filterOperators": "filter_operators"}
PATH_NAMES = tuple(field.name for field in fields(ApiPaths))


def configured_api_paths(setting: Any, setting_source: str) -> ApiPaths:
    """The paths a stack sets (``thena:apiPaths``), else those of ``THENA_API_PATHS`` (JSON).

    The one rule the provider and the command line share; ValueError as ``api_paths_from``.
    """
    if setting is None:
        return api_paths_from(os.environ.get(ENV_API_PATHS), ENV_API_PATHS)
    return api_paths_from(setting, setting_source)


def api_paths_from(value: Any, source: str) -> ApiPaths:
    """The paths of ``value`` (an object of name: path, or its JSON text) over the assumed ones.

    ``source`` names the setting in errors, e.g. ``thena:apiPaths in stacks/Pulumi.dev.yaml``.
    Raises ValueError with one line naming the setting, the path and what to do.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return ApiPaths()
    example = '{"toggle": "/api/v1/workflows/{unique_identifier}/activate"}'
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError(
                f"{source} is not JSON; write an object of path names to paths, e.g. {example}"
            ) from None
    if not isinstance(value, Mapping):
        raise ValueError(
            f"{source} must be an object of path names to paths, e.g. {example}; "
            f"got {type(value).__name__}"
        )
    overrides: dict[str, str] = {}
    for name, template in value.items():
        field = _CAMEL.get(str(name), str(name))
        if field not in PATH_NAMES:
            raise ValueError(
                scrub(f"{source}: no path is named {name!r}; use one of {', '.join(PATH_NAMES)}")
            )
        problem = _template_problem(field, template)
        if problem:
            raise ValueError(scrub(f"{source}.{problem}; fix it or remove it to use the default"))
        overrides[field] = template
    return ApiPaths(**overrides)


def expand_path(template: str, **params: str) -> str:
    """Fill a path template, URL-encoding each value (a ``/`` in an id stays inside its segment)."""
    for name, value in params.items():
        if not value or value in (".", ".."):
            # Empty or dot segments would address another resource (the collection, a parent).
            raise ValueError(f"{name} must be a non-empty identifier, got {value!r}")
    return template.format(**{name: quote(value, safe="") for name, value in params.items()})


def unwrap_list(payload: Any, method: str, path: str) -> list[Any]:
    """The list a list endpoint returned, whatever envelope it came in (U-1)."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        for key in LIST_ENVELOPE_KEYS:
            if key in payload:
                return _enveloped_list(payload[key], key, method, path)
        return [payload]
    raise UnexpectedResponseError(
        method, path, f"expected a JSON array or object, got {type(payload).__name__}"
    )


def _enveloped_list(value: Any, key: str, method: str, path: str) -> list[Any]:
    if isinstance(value, list):
        return value
    raise UnexpectedResponseError(
        method, path, f"expected a JSON array under {key!r}, got {type(value).__name__}"
    )


def unwrap_object(payload: Any, method: str, path: str) -> Mapping[str, Any]:
    """The object a single-object endpoint returned: bare, or inside ``{status, message, data}``."""
    if isinstance(payload, dict) and _is_object_envelope(payload):
        payload = payload["data"]
    if isinstance(payload, dict):
        return payload
    raise UnexpectedResponseError(
        method, path, f"expected a JSON object, got {type(payload).__name__}"
    )


def _is_object_envelope(payload: dict[str, Any]) -> bool:
    return isinstance(payload.get("data"), dict) and payload.keys() <= OBJECT_ENVELOPE_KEYS


def rate_limit_reset_delay(value: float, now: float) -> float:
    """Seconds until an ``X-RateLimit-Reset``: UNIX seconds, or a delay if implausibly small."""
    if value < EPOCH_THRESHOLD:
        return max(0.0, value)
    return max(0.0, value - now)
