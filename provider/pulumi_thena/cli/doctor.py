"""doctor: check the SPEC's assumptions (section 7) against the configured API.

Read-only by default: which assumed paths answer, which list envelope comes back, what an error
body looks like, whether rate-limit headers are sent, how paging, team scoping and the execution
window behave. With ``write_probe`` the write probe (``cli.probe``) also checks create, PATCH,
toggle, delete and two creates the API should refuse.

Each finding names the assumption (U-number), what was checked, and the verdict, so that the
client's path table (``client/assumptions.py``) can be corrected from the report. Not checked at
all: U-5 (a route nobody knows), U-17 (there is no execution API to look for), U-19 (limits
could only be found by sending ever larger workflows) and the 429 behaviour of U-20 (it would
take exhausting the org's real rate limit).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pulumi_thena.cli.discover import api_paths_setting, discover, report_discovery
from pulumi_thena.cli.findings import (
    DoctorReport,
    envelope_kind,
    list_items,
    ok,
    string_values,
)
from pulumi_thena.cli.probe import PROBE_PREFIX, WriteProbe, not_written
from pulumi_thena.client import RawResponse, ThenaClient
from pulumi_thena.client.assumptions import EPOCH_THRESHOLD, expand_path
from pulumi_thena.client.errors import api_error_class
from pulumi_thena.models import ExecutionStatus

RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


BadKeyClient = Callable[[], ThenaClient]


def run_doctor(
    client: ThenaClient,
    bad_key_client: BadKeyClient,
    *,
    write_probe: bool = False,
    discover_paths: bool = False,
) -> DoctorReport:
    """Run the read-only checks and, with ``write_probe``, the write checks; with
    ``discover_paths``, first read the service's own OpenAPI document."""
    report = DoctorReport(client.base_url)
    if discover_paths:
        found = discover(client)
        report_discovery(found, client, report)
        report.api_paths = api_paths_setting(found, client.paths) if found else None
    listing, registries = _check_paths(client, report)
    some_id = _first_id(listing)
    _check_envelope(listing, report)
    _check_get_one(client, some_id, report)
    base = _check_page_base(client, report)
    _check_paging(client, listing, base, report)
    team = _first_team(listing)
    _check_registry_scope(client, registries, team, report)
    _check_team_filter(client, listing, team, report)
    if some_id is not None or not write_probe:
        _check_executions(client, some_id, report)
    _check_error_shape(bad_key_client, client.paths.workflows, report)
    _check_rate_headers(listing, report)
    if write_probe:
        later = (lambda made: _check_executions(client, made, report)) if some_id is None else None
        WriteProbe(client, report, check_executions=later).run()
    else:
        not_written(report)
    return report


# -- read-only checks ----------------------------------------------------------------------


def _check_paths(
    client: ThenaClient, report: DoctorReport
) -> tuple[RawResponse, dict[str, RawResponse]]:
    """E7, E1, E4 and E9 answer; the list and the two registries (without teamId) come back."""
    paths = client.paths
    listing = client.probe(paths.workflows, {"page": 1, "limit": 100})
    if listing.status in (401, 403):  # nothing else can be checked with this key
        raise api_error_class(listing.status)("GET", paths.workflows, listing.status)
    report.add("E7", "the list path answers", ok(listing), _status(paths.workflows, listing))
    answers = {}
    for name, what, path in (
        ("E1", "filter operators", paths.filter_operators),
        ("E4", "activity registry", paths.activities),
        ("E9", "event registry", paths.events),
    ):
        answers[name] = answer = client.probe(path)
        report.add(f"U-3 {name}", f"the {what} path answers", ok(answer), _status(path, answer))
    return listing, answers


def _status(path: str, answer: RawResponse) -> str:
    if ok(answer):
        return f"GET {path} -> {answer.status} ({envelope_kind(answer.body)})"
    return f"GET {path} -> {answer.status}: wrong path or missing route; correct ApiPaths"


def _first_id(listing: RawResponse) -> str | None:
    ids = string_values(list_items(listing), "uniqueIdentifier")
    return ids[0] if ids else None


def _first_team(listing: RawResponse) -> str | None:
    teams = string_values(list_items(listing), "teamId")
    return teams[0] if teams else None


def _check_envelope(listing: RawResponse, report: DoctorReport) -> None:
    if not ok(listing):
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
    held = ok(answer) and inner.get("uniqueIdentifier") == some_id
    report.add("U-4", check, held, f"GET {path_of} -> {answer.status} for {some_id}")


def _check_paging(
    client: ThenaClient, listing: RawResponse, base: int, report: DoctorReport
) -> None:
    """U-12: limit is honoured (or capped, and at what), pages follow each other."""
    check = "E7 honours limit (at most 100)"
    if not ok(listing):
        report.add("U-12", check, None, "the list did not answer")
        return
    count = len(list_items(listing))
    if count == 100:
        report.add("U-12", check, True, "limit=100 gave a full page of 100")
        return
    after = client.probe(client.paths.workflows, {"page": base + 1, "limit": 100})
    more = len(list_items(after)) if ok(after) else 0
    if more and not _same_first(listing, after):
        detail = f"limit=100 gave {count}, and the next page {more} more: capped at {count}"
        report.add("U-12", check, False, detail + "; the client pages on (docs/client.md)")
    else:
        report.add("U-12", check, True, f"limit=100 gave all {count} workflows of the org")


def _same_first(one: RawResponse, other: RawResponse) -> bool:
    return _first_id(one) == _first_id(other)


PAGE_BASE_CHECK = "E7 pages from 1"


def _check_page_base(client: ThenaClient, report: DoctorReport) -> int:
    """U-24: whether page 0 or page 1 is the first page (the client detects it either way).

    0 when page 0 is a page of its own (not refused, not empty, not a repeat of page 1).
    """
    zero = client.probe(client.paths.workflows, {"page": 0, "limit": 1})
    one = client.probe(client.paths.workflows, {"page": 1, "limit": 1})
    two = client.probe(client.paths.workflows, {"page": 2, "limit": 1})
    ids = [_first_id(a) if ok(a) else None for a in (zero, one, two)]
    if not ok(zero):
        detail, base = f"page 0 is refused ({zero.status}); page 1 -> {ids[1]}", 1
    elif not list_items(zero):
        detail, base = f"page 0 is empty; page 1 -> {ids[1]}", 1
    elif ids[0] == ids[1]:
        detail, base = f"page 0 repeats page 1 ({ids[0]})", 1
    elif ids[1] is None:
        report.add("U-24", PAGE_BASE_CHECK, None, "fewer than 2 workflows to page")
        return 1
    else:
        detail, base = f"page 0 -> {ids[0]}, page 1 -> {ids[1]}, page 2 -> {ids[2]}", 0
    suffix = "" if base == 1 else "; it pages from 0 (the client detects it)"
    report.add("U-24", PAGE_BASE_CHECK, base == 1, detail + suffix)
    return base


def _check_executions(client: ThenaClient, some_id: str | None, report: DoctorReport) -> None:
    path = client.paths.executions
    check = "E5 takes a uniqueIdentifier as workflowId"
    if some_id is None:
        report.add("U-7", check, None, "no workflow in the org")
        report.add("U-13", "E5 from/to accept ISO-8601", None, "no workflow in the org")
        report.add("U-15", STATUS_CHECK, None, "no workflow in the org")
        return
    plain = client.probe(path, {"workflowId": some_id})
    report.add("U-7", check, ok(plain), _status(path, plain))
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    window = client.probe(path, {"workflowId": some_id, "from": since})
    report.add("U-13", "E5 from/to accept ISO-8601", ok(window), f"{window.status} for {since}")
    _check_statuses(plain, some_id, report)


STATUS_CHECK = "execution statuses are the REST enum's"


def _check_statuses(executions: RawResponse, workflow_id: str, report: DoctorReport) -> None:
    """U-15: every status in the runs of one workflow is one of the REST enum's values."""
    statuses = sorted(set(string_values(list_items(executions), "status")))
    if not statuses:
        report.add("U-15", STATUS_CHECK, None, f"no executions of {workflow_id} to look at")
        return
    known = {status.value for status in ExecutionStatus}
    unknown = [status for status in statuses if status not in known]
    if unknown:
        detail = f"also {', '.join(unknown)}; the client keeps unknown statuses as text"
    else:
        detail = f"seen: {', '.join(statuses)}"
    report.add("U-15", STATUS_CHECK, not unknown, detail)


REGISTRY_CHECK = "registries answer with and without teamId"
REGISTRY_KEYS = {"E4": "uniqueIdentifier", "E9": "uid"}
"""The field every entry of each registry must carry (U-6: the REST triggerEvent fields)."""


def _check_registry_scope(
    client: ThenaClient, org_wide: dict[str, RawResponse], team: str | None, report: DoctorReport
) -> None:
    """U-6: teamId is optional (org-wide entries without it), and entries have the assumed key."""
    paths = {"E4": client.paths.activities, "E9": client.paths.events}
    scoped = {name: client.probe(path, {"teamId": team}) for name, path in paths.items() if team}
    problems, counts = [], []
    for name, key in REGISTRY_KEYS.items():
        wide, narrow = org_wide[name], scoped.get(name)
        if not ok(wide) and (narrow is None or not ok(narrow)):
            report.add("U-6", REGISTRY_CHECK, None, f"{name} did not answer (see U-3 {name})")
            return
        if not ok(wide):
            problems.append(f"{name} needs teamId ({wide.status} without it)")
        if narrow is not None and not ok(narrow):
            problems.append(f"{name} teamId={team} -> {narrow.status}")
        answered = [answer for answer in (wide, narrow) if answer is not None and ok(answer)]
        if any(len(string_values(list_items(a), key)) != len(list_items(a)) for a in answered):
            problems.append(f"{name}: an entry without {key}")
        counts.append(
            f"{name} {len(list_items(wide))} org-wide"
            + (f", {len(list_items(narrow))} for {team}" if narrow is not None else "")
        )
    if problems:
        report.add("U-6", REGISTRY_CHECK, False, "; ".join(problems))
        return
    scope = "" if team else "; no listed workflow names a team to scope by"
    report.add("U-6", REGISTRY_CHECK, True, ", ".join(counts) + scope)


TEAM_CHECK = "teamId filters the list; the key sees every team"


def _check_team_filter(
    client: ThenaClient, listing: RawResponse, team: str | None, report: DoctorReport
) -> None:
    """U-21: the list filtered by a team holds only that team's workflows, and the unfiltered
    list holds workflows of more than one team (so teams are a filter, not a boundary)."""
    teams = sorted(set(string_values(list_items(listing), "teamId")))
    if not ok(listing) or team is None:
        why = "the list did not answer" if not ok(listing) else "no listed workflow names a team"
        report.add("U-21", TEAM_CHECK, None, why)
        return
    filtered = client.probe(client.paths.workflows, {"teamId": team, "page": 1, "limit": 100})
    others = sorted(
        {
            str(item.get("teamId") or "(none)")
            for item in list_items(filtered)
            if isinstance(item, dict)
        }
        - {team}
    )
    if not ok(filtered) or others:
        shown = f"{filtered.status}" if not ok(filtered) else f"also teams {', '.join(others)}"
        report.add("U-21", TEAM_CHECK, False, f"teamId={team}: {shown}")
        return
    detail = f"teamId={team}: {len(list_items(filtered))} listed, all of {team}"
    if len(teams) < 2:
        report.add("U-21", TEAM_CHECK, None, f"{detail}; only one team in the org's first page")
        return
    report.add("U-21", TEAM_CHECK, True, f"{detail}; unfiltered: {len(teams)} teams")


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
