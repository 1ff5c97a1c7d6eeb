"""doctor --discover: read the service's own OpenAPI document, where it serves one.

Thena's sibling Platform service serves its OpenAPI at ``/swagger-json`` (docs/api.md §8, U-5);
NestJS services usually serve it at one of a few places. One read settles the assumed paths
(U-3), what the duplicated "Get all the workflows" entry is (U-4) and the untitled GET (U-5),
and gives the ``thena:apiPaths`` to set when a path differs from the assumed one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from pulumi_thena.cli.findings import DoctorReport, ok
from pulumi_thena.client import ApiPaths, ThenaClient

LOCATIONS = (
    "/swagger-json",
    "/api-json",
    "/docs-json",
    "/api/docs-json",
    "/swagger.json",
    "/openapi.json",
    "/v3/api-docs",
)
"""Where NestJS (SwaggerModule) and its neighbours serve the OpenAPI document, by default."""
PREFIXES = ("", "/api/v1/workflows", "/api/v1", "/api")
"""Tried before each location: the base URL itself and the API's prefixes."""
_PARAM = re.compile(r"\{[^}]+\}")
PLACEHOLDERS = {"tasks": "{execution_id}"}
"""Our placeholder in each templated path (the others take ``{unique_identifier}``)."""

Operations = dict[str, dict[str, Any]]
"""path -> method (lower case) -> operation object."""


@dataclass(frozen=True)
class Discovery:
    """Where the document was, and the paths it gives for each endpoint we call."""

    location: str
    operations: Operations
    paths: dict[str, str]
    """ApiPaths field -> the document's path (our placeholders), for the endpoints found."""
    untitled: tuple[str, ...]
    """``GET <path>`` of operations without a summary (U-5)."""


def discover(client: ThenaClient) -> Discovery | None:
    """The service's OpenAPI document, at the first usual location that serves one."""
    for prefix in PREFIXES:
        for location in LOCATIONS:
            answer = client.probe(prefix + location)
            body = answer.body
            if ok(answer) and isinstance(body, dict) and isinstance(body.get("paths"), dict):
                return read_document(prefix + location, body)
    return None


def read_document(location: str, document: Mapping[str, Any]) -> Discovery:
    """What an OpenAPI document says about the endpoints we call."""
    operations: Operations = {
        path: {m.lower(): op for m, op in item.items() if isinstance(op, dict)}
        for path, item in document.get("paths", {}).items()
        if isinstance(path, str) and isinstance(item, dict)
    }
    found = {name: path for name, path in _matches(operations) if path is not None}
    untitled = tuple(
        f"{method.upper()} {path}"
        for path, ops in sorted(operations.items())
        for method, op in ops.items()
        if method == "get" and not (op.get("summary") or op.get("operationId"))
    )
    return Discovery(location, operations, found, untitled)


def _matches(operations: Operations) -> Iterable[tuple[str, str | None]]:
    """Each ApiPaths field and the document's path for it, by what the operation does."""

    def pick(method: str, test: Any) -> str | None:
        hits = sorted(p for p, ops in operations.items() if method in ops and test(p.lower()))
        return hits[0] if hits else None

    collection = pick("post", lambda p: p.rstrip("/").endswith("/workflows"))
    yield "workflows", collection
    yield "workflow", pick("patch", lambda p: re.search(r"/workflows/\{[^}]+\}$", p))
    yield "toggle", pick("post", lambda p: "toggle" in p or p.endswith(("/activate", "/status")))
    yield "executions", pick("get", lambda p: p.rstrip("/").endswith("/executions"))
    yield "tasks", pick("get", lambda p: re.search(r"\{[^}]+\}/tasks$", p))
    yield "events", pick("get", lambda p: "registr" in p and "event" in p)
    yield "activities", pick("get", lambda p: "registr" in p and "activit" in p)
    yield "filter_operators", pick("get", lambda p: "filter" in p and "operator" in p)


def ours(name: str, path: str) -> str:
    """The document's path with our placeholder for its parameter."""
    return _PARAM.sub(PLACEHOLDERS.get(name, "{unique_identifier}"), path)


def report_discovery(found: Discovery | None, client: ThenaClient, report: DoctorReport) -> None:
    """Findings for U-3, U-4 and U-5 from the document, and the paths that differ."""
    if found is None:
        tried = ", ".join(LOCATIONS)
        for number in ("U-3", "U-4", "U-5"):
            report.add(number, "settled by the service's OpenAPI", None, f"none at {tried}")
        return
    differing = api_paths_setting(found, client.paths)
    unknown = [f.name for f in fields(ApiPaths) if f.name not in found.paths]
    detail = f"{found.location}: " + (
        "every assumed path is there"
        if not differing and not unknown
        else "; ".join(
            [*(f"{n} is {p}" for n, p in differing.items()), *(f"no {n}" for n in unknown)]
        )
    )
    report.add("U-3", "the assumed paths are the service's", not differing, detail)
    get_one = found.paths.get("workflow")
    has_get = get_one is not None and "get" in found.operations.get(get_one, {})
    report.add("U-4", "E8 is get-one by uniqueIdentifier", has_get, f"GET {get_one}")
    shown = ", ".join(found.untitled) or "none"
    report.add("U-5", "the untitled GET", None if not found.untitled else True, shown)


def api_paths_setting(found: Discovery, assumed: ApiPaths) -> dict[str, str]:
    """The ``thena:apiPaths`` that corrects every assumed path the document contradicts."""
    return {
        name: ours(name, path)
        for name, path in found.paths.items()
        if ours(name, path) != getattr(assumed, name)
    }
