"""doctor: check the SPEC's assumptions (section 7) against the configured API.

Read-only by default: which assumed paths answer, which list envelope comes back, what an error
body looks like, whether rate-limit headers are sent, how paging and the execution window
behave. With ``write_probe`` a ``zz-probe-<random>`` workflow is created to check create,
PATCH, toggle and delete, and is deleted again whatever happens.

Each finding names the assumption (U-number), what was checked, and the verdict, so that the
client's path table (``client/assumptions.py``) can be corrected from the report.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pulumi_thena.client import (
    NotFoundError,
    RawResponse,
    ThenaClient,
    ThenaError,
)
from pulumi_thena.client.assumptions import EPOCH_THRESHOLD, LIST_ENVELOPE_KEYS, expand_path
from pulumi_thena.client.errors import api_error_class
from pulumi_thena.models import Workflow

PROBE_PREFIX = "zz-probe-"
PROBE_METADATA_KEY = "pulumi-thena:doctor-probe"
FALLBACK_EVENT = "ticket:created"
FALLBACK_ACTIVITY = "tickets:add-comment-platform"
RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


class Verdict(StrEnum):
    HELD = "held"
    NOT_HELD = "did not hold"
    NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class Finding:
    """One assumption, what was checked, and what came back."""

    assumption: str
    check: str
    verdict: Verdict
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "assumption": self.assumption,
            "check": self.check,
            "verdict": self.verdict.value,
            "detail": self.detail,
        }


@dataclass
class DoctorReport:
    """Every finding, in the order the checks ran."""

    api_url: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.verdict is not Verdict.NOT_HELD for f in self.findings)

    def counts(self) -> dict[str, int]:
        return {v.value: sum(f.verdict is v for f in self.findings) for v in Verdict}

    def to_json(self) -> dict[str, Any]:
        return {
            "apiUrl": self.api_url,
            "ok": self.ok,
            "summary": self.counts(),
            "findings": [finding.to_json() for finding in self.findings],
        }

    def add(self, assumption: str, check: str, held: bool | None, detail: str = "") -> None:
        if held is None:
            verdict = Verdict.NOT_CHECKED
        else:
            verdict = Verdict.HELD if held else Verdict.NOT_HELD
        self.findings.append(Finding(assumption, check, verdict, detail))


BadKeyClient = Callable[[], ThenaClient]


def run_doctor(
    client: ThenaClient, bad_key_client: BadKeyClient, *, write_probe: bool = False
) -> DoctorReport:
    """Run the read-only checks and, with ``write_probe``, the write checks."""
    report = DoctorReport(client.base_url)
    listing = _check_paths(client, report)
    some_id = _first_id(listing)
    _check_envelope(listing, report)
    _check_get_one(client, some_id, report)
    _check_paging(client, listing, report)
    if some_id is not None or not write_probe:
        _check_executions(client, some_id, report)
    _check_error_shape(bad_key_client, client.paths.workflows, report)
    _check_rate_headers(listing, report)
    if write_probe:
        WriteProbe(client, report, check_executions=some_id is None).run()
    else:
        _not_written(report)
    return report


# -- read-only checks ----------------------------------------------------------------------


def _check_paths(client: ThenaClient, report: DoctorReport) -> RawResponse:
    paths = client.paths
    listing = client.probe(paths.workflows, {"page": 1, "limit": 100})
    if listing.status in (401, 403):  # nothing else can be checked with this key
        raise api_error_class(listing.status)("GET", paths.workflows, listing.status)
    report.add("E7", "the list path answers", _ok(listing), _status(paths.workflows, listing))
    for name, what, path in (
        ("E1", "filter operators", paths.filter_operators),
        ("E4", "activity registry", paths.activities),
        ("E9", "event registry", paths.events),
    ):
        answer = client.probe(path)
        report.add(f"U-3 {name}", f"the {what} path answers", _ok(answer), _status(path, answer))
    return listing


def _ok(answer: RawResponse) -> bool:
    return 200 <= answer.status < 300


def _status(path: str, answer: RawResponse) -> str:
    if _ok(answer):
        return f"GET {path} -> {answer.status} ({envelope_kind(answer.body)})"
    return f"GET {path} -> {answer.status}: wrong path or missing route; correct ApiPaths"


def envelope_kind(body: Any) -> str:
    """How a list came back: ``bare``, ``data``/``items``/``results``, ``object`` or ``other``."""
    if isinstance(body, list):
        return "bare"
    if isinstance(body, dict):
        for key in LIST_ENVELOPE_KEYS:
            if isinstance(body.get(key), list):
                return key
        return "object"
    return "other"


def _items(answer: RawResponse) -> list[Any]:
    kind = envelope_kind(answer.body)
    if kind == "bare":
        return list(answer.body)
    if kind in LIST_ENVELOPE_KEYS:
        return list(answer.body[kind])
    return []


def _first_id(listing: RawResponse) -> str | None:
    for item in _items(listing):
        if isinstance(item, dict) and isinstance(item.get("uniqueIdentifier"), str):
            return str(item["uniqueIdentifier"])
    return None


def _check_envelope(listing: RawResponse, report: DoctorReport) -> None:
    if not _ok(listing):
        report.add("U-1", "lists are bare JSON arrays", None, "the list did not answer")
        return
    kind = envelope_kind(listing.body)
    detail = f"GET list returned a {kind} " + ("array" if kind == "bare" else "envelope")
    if kind != "bare":
        detail += "; the client copes with data/items/results, the SPEC assumed bare"
    report.add("U-1", "lists are bare JSON arrays", kind == "bare", detail)


def _check_get_one(client: ThenaClient, some_id: str | None, report: DoctorReport) -> None:
    path_of = client.paths.workflow
    probe_id = some_id or f"{PROBE_PREFIX}{secrets.token_hex(6)}-missing"
    answer = client.probe(expand_path(path_of, unique_identifier=probe_id))
    check = "E8 gets one workflow by uniqueIdentifier"
    if some_id is None:
        held = answer.status == 404
        report.add("U-4", check, held, f"{answer.status} for a random id (the org is empty)")
        return
    body: dict[str, Any] = answer.body if isinstance(answer.body, dict) else {}
    data = body.get("data")
    inner: dict[str, Any] = data if isinstance(data, dict) else body
    held = _ok(answer) and inner.get("uniqueIdentifier") == some_id
    report.add("U-4", check, held, f"GET {path_of} -> {answer.status} for {some_id}")


def _check_paging(client: ThenaClient, listing: RawResponse, report: DoctorReport) -> None:
    check = "E7 page is 1-based, limit honoured"
    if not _ok(listing):
        report.add("U-12", check, None, "the list did not answer")
        return
    first = client.probe(client.paths.workflows, {"page": 1, "limit": 1})
    if len(_items(listing)) < 2:
        held = _ok(first) and len(_items(first)) <= 1
        report.add("U-12", check, held, "limit=1 honoured; fewer than 2 workflows to page")
        return
    second = client.probe(client.paths.workflows, {"page": 2, "limit": 1})
    ids = [_first_id(first), _first_id(second)]
    held = len(_items(first)) == 1 and len(_items(second)) == 1 and ids[0] != ids[1]
    report.add("U-12", check, held, f"page 1 -> {ids[0]}, page 2 -> {ids[1]}")


def _check_executions(client: ThenaClient, some_id: str | None, report: DoctorReport) -> None:
    path = client.paths.executions
    check = "E5 takes a uniqueIdentifier as workflowId"
    if some_id is None:
        report.add("U-7", check, None, "no workflow in the org")
        report.add("U-13", "E5 from/to accept ISO-8601", None, "no workflow in the org")
        return
    plain = client.probe(path, {"workflowId": some_id})
    report.add("U-7", check, _ok(plain), _status(path, plain))
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    window = client.probe(path, {"workflowId": some_id, "from": since})
    report.add("U-13", "E5 from/to accept ISO-8601", _ok(window), f"{window.status} for {since}")


def _check_error_shape(bad_key_client: BadKeyClient, path: str, report: DoctorReport) -> None:
    with bad_key_client() as other:
        answer = other.probe(path)
    body = answer.body if isinstance(answer.body, dict) else {}
    nest = (
        body.get("statusCode") == answer.status
        and isinstance(body.get("message"), str | list)
        and isinstance(body.get("error"), str)
    )
    detail = f"{answer.status} with keys {sorted(body) if body else 'none (not a JSON object)'}"
    report.add(
        "U-14",
        "errors are {statusCode, message, error}",
        answer.status == 401 and nest,
        f"bad key: {detail}",
    )


def _check_rate_headers(listing: RawResponse, report: DoctorReport) -> None:
    present = [name for name in RATE_HEADERS if name in listing.headers]
    check = "X-RateLimit-* sent; Reset in UNIX seconds"
    if len(present) < len(RATE_HEADERS):
        missing = sorted(set(RATE_HEADERS) - set(present))
        report.add("U-20", check, False, f"missing {', '.join(missing)}; the client backs off")
        return
    reset = listing.headers["x-ratelimit-reset"]
    try:
        epoch = float(reset) >= EPOCH_THRESHOLD
    except ValueError:
        epoch = False
    report.add("U-20", check, epoch, f"Limit {listing.headers['x-ratelimit-limit']}, Reset {reset}")


WRITE_STATUSES = "create answers 201, other writes 200"
WRITE_CHECKS: tuple[tuple[str, str], ...] = (
    ("U-8", "type/subType default to MANUAL/WORKFLOW"),
    ("U-3 E10", "the toggle path answers"),
    ("U-9", "new workflows are active; toggle flips"),
    ("U-18", "PATCH bumps the version"),
    ("P-1", "metadata (owner marker) is kept"),
    ("U-11", "DELETE answers 2xx; then GET is 404"),
    ("U-2", WRITE_STATUSES),
)


def _not_written(report: DoctorReport) -> None:
    for assumption, check in WRITE_CHECKS:
        report.add(assumption, check, None, "needs --write-probe")


def _kept(kept: bool) -> str:
    return f"{PROBE_METADATA_KEY} " + ("came back" if kept else "was lost")


# -- write probe ---------------------------------------------------------------------------


class WriteProbe:
    """Create, patch, toggle and delete one throw-away workflow, checking each answer."""

    def __init__(
        self, client: ThenaClient, report: DoctorReport, *, check_executions: bool = False
    ) -> None:
        self.client = client
        self.report = report
        self.check_executions = check_executions
        self.name = f"{PROBE_PREFIX}{secrets.token_hex(4)}"
        self.token = secrets.token_hex(8)
        self.created: Workflow | None = None

    def run(self) -> None:
        try:
            self.created = self._create()
            if self.check_executions:
                _check_executions(self.client, self.created.unique_identifier, self.report)
            patched = self._patch(self.created)
            self._toggle(patched)
        except ThenaError as error:
            self.report.add("probe", "the write probe ran to the end", False, str(error))
        finally:
            self._delete()
            self._check_statuses()

    def _body(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "triggerEvent": self._first(self.client.list_events, "event_name", FALLBACK_EVENT),
            "executingAgent": "thena-workflows-doctor",
            "metadata": {PROBE_METADATA_KEY: self.token},
            "workflowDefinition": [
                {
                    "stepIdentifier": 1,
                    "activity": {"uniqueIdentifier": self._first_activity()},
                    "input": {},
                }
            ],
        }

    def _first(self, fetch: Callable[[], list[Any]], attribute: str, fallback: str) -> str:
        try:
            items = fetch()
        except NotFoundError:
            return fallback
        values = [getattr(item, attribute) for item in items if getattr(item, attribute, None)]
        return str(values[0]) if values else fallback

    def _first_activity(self) -> str:
        return self._first(self.client.list_activities, "unique_identifier", FALLBACK_ACTIVITY)

    def _has_token(self, workflow: Workflow) -> bool:
        return (workflow.metadata or {}).get(PROBE_METADATA_KEY) == self.token

    def _create(self) -> Workflow:
        created = self.client.create_workflow(self._body())
        self.report.add(
            "P-1",
            "metadata is kept by create",
            self._has_token(created),
            _kept(self._has_token(created)),
        )
        self.report.add(
            "U-9",
            "new workflows are active",
            created.is_active is True,
            f"isActive {created.is_active}, version {created.version}",
        )
        kind = (created.type, created.sub_type)  # the probe leaves both out
        self.report.add(
            "U-8",
            "type/subType default to MANUAL/WORKFLOW",
            kind == ("MANUAL", "WORKFLOW"),
            f"stored {kind[0]}/{kind[1]}",
        )
        return created

    def _check_statuses(self) -> None:
        """U-2, from the statuses the client saw on each write route during the probe."""
        paths = self.client.paths
        writes = {
            "create": (f"POST {paths.workflows}", 201),
            "PATCH": (f"PATCH {paths.workflow}", 200),
            "toggle": (f"POST {paths.toggle}", 200),
            "DELETE": (f"DELETE {paths.workflow}", 200),
        }
        seen = {what: self.client.stats.statuses(route) for what, (route, _) in writes.items()}
        answered = {what: statuses for what, statuses in seen.items() if statuses}
        if not answered:
            self.report.add("U-2", WRITE_STATUSES, None, "no write answered")
            return
        held = all(set(answered[what]) == {writes[what][1]} for what in answered)
        detail = ", ".join(
            f"{what} {'/'.join(str(code) for code in sorted(statuses))}"
            for what, statuses in answered.items()
        )
        self.report.add("U-2", WRITE_STATUSES, held, detail)

    def _patch(self, created: Workflow) -> Workflow:
        patched = self.client.update_workflow(
            created.unique_identifier, {"name": f"{self.name}-patched"}
        )
        bumped = created.version is not None and patched.version == created.version + 1
        self.report.add(
            "U-18",
            "PATCH bumps the version",
            bumped,
            f"version {created.version} -> {patched.version}",
        )
        self.report.add(
            "P-1",
            "metadata is kept by a PATCH without it",
            self._has_token(patched),
            _kept(self._has_token(patched)) + " (the PATCH changed only the name)",
        )
        return patched

    def _toggle(self, before: Workflow) -> None:
        path = self.client.paths.toggle
        try:
            toggled = self.client.toggle_workflow(before.unique_identifier)
        except NotFoundError as error:
            self.report.add("U-3 E10", "the toggle path answers", False, str(error))
            return
        self.report.add("U-3 E10", "the toggle path answers", True, f"POST {path} -> 2xx")
        flipped = toggled.is_active is not None and toggled.is_active != before.is_active
        same_version = toggled.version == before.version
        self.report.add(
            "U-9",
            "toggle flips isActive, keeps the version",
            flipped and same_version,
            f"isActive {before.is_active} -> {toggled.is_active}, "
            f"version {before.version} -> {toggled.version}",
        )

    def _delete(self) -> None:
        for workflow in self._leftovers():
            try:
                self.client.delete_workflow(workflow.unique_identifier)
            except ThenaError as error:
                left = f"{workflow.unique_identifier} is left behind; delete it: {error}"
                self.report.add("U-11", "DELETE answers 2xx; then GET is 404", False, left)
                continue
            gone = self._is_gone(workflow.unique_identifier)
            self.report.add(
                "U-11",
                "DELETE answers 2xx; then GET is 404",
                gone,
                f"{workflow.unique_identifier}: " + ("404" if gone else "still there"),
            )

    def _leftovers(self) -> Iterator[Workflow]:
        """The probe workflow, found again by name if its create answer was lost."""
        if self.created is not None:
            yield self.created
            return
        try:
            found = self.client.list_workflows()
        except ThenaError:
            return
        yield from (wf for wf in found if (wf.name or "").startswith(self.name))

    def _is_gone(self, unique_identifier: str) -> bool:
        try:
            self.client.get_workflow(unique_identifier)
        except NotFoundError:
            return True
        return False
