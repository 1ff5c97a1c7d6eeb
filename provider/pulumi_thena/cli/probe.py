"""doctor --write-probe: create, patch, toggle and delete one throw-away workflow, and try two
creates that the SPEC says the API refuses.

Every workflow the probe makes is named ``zz-probe-<random>...`` and deleted again whatever
happens; when a create's answer is lost, the probe finds its workflow by name before deleting.
"""

from __future__ import annotations

import functools
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from pulumi_thena.cli.findings import DoctorReport
from pulumi_thena.client import (
    NotFoundError,
    ThenaApiError,
    ThenaClient,
    ThenaError,
)
from pulumi_thena.client.errors import scrub
from pulumi_thena.diff import canonical_inputs, changed_fields, live_to_inputs
from pulumi_thena.diff.errors import UnreadableWorkflowError
from pulumi_thena.models import Workflow

PROBE_PREFIX = "zz-probe-"
PROBE_METADATA_KEY = "pulumi-thena:doctor-probe"
FALLBACK_EVENT = "ticket:created"
FALLBACK_ACTIVITY = "tickets:add-comment-platform"
WRITE_STATUSES = "create answers 201, other writes 200"
REFUSED_STATUS = 400  # U-14: validation errors are 400
NO_AGENT = "create without executingAgent is refused (400)"
NO_VERSION = "a pinned activity without version is refused (400)"
WRITE_CHECKS: tuple[tuple[str, str], ...] = (
    ("U-8", "type/subType default to MANUAL/WORKFLOW"),
    ("U-3 E10", "the toggle path answers"),
    ("U-9", "new workflows are active; toggle flips"),
    ("U-18", "PATCH bumps the version"),
    ("P-1", "metadata (owner marker) is kept"),
    ("U-11", "DELETE answers 2xx; then GET is 404"),
    ("U-2", WRITE_STATUSES),
    ("U-10", NO_AGENT),
    ("U-16", NO_VERSION),
    ("U-22", "answers read back as what was sent"),
)


U22 = "U-22"
SHAPE_CHECK = "answers read back as what was sent"


def answer_differences(sent: dict[Any, Any], answered: dict[Any, Any]) -> list[str]:
    """What the answer's steps leave out, fill and show as {} (``2.requireApproval``)."""
    left_out, filled, empty = [], [], []
    for sid, step in sent.items():
        shown = answered.get(sid)
        if not isinstance(shown, dict):
            left_out.append(f"step {sid}")
            continue
        left_out += [f"{sid}.{key}" for key in step if key not in shown]
        for key, value in shown.items():
            if value == {} and key not in step:
                empty.append(f"{sid}.{key}")
            elif key not in step:
                filled.append(f"{sid}.{key}")
            elif isinstance(value, dict) and isinstance(step[key], dict):
                filled += [f"{sid}.{key}.{k}" for k in value if k not in step[key]]
                left_out += [f"{sid}.{key}.{k}" for k in step[key] if k not in value]
    parts = [("leaves out", left_out), ("fills", filled), ("shows {} for", empty)]
    return [f"{what} {', '.join(paths)}" for what, paths in parts if paths]


def not_written(report: DoctorReport) -> None:
    """The write checks, each marked as not checked (no ``--write-probe``)."""
    for assumption, check in WRITE_CHECKS:
        report.add(assumption, check, None, "needs --write-probe")


def _kept(kept: bool) -> str:
    return f"{PROBE_METADATA_KEY} " + ("came back" if kept else "was lost")


class WriteProbe:
    """Create, patch, toggle and delete one throw-away workflow, checking each answer."""

    def __init__(
        self,
        client: ThenaClient,
        report: DoctorReport,
        *,
        check_executions: Callable[[str], None] | None = None,
    ) -> None:
        self.client = client
        self.report = report
        self.check_executions = check_executions
        self.name = f"{PROBE_PREFIX}{secrets.token_hex(4)}"
        self.token = secrets.token_hex(8)
        self.made: list[Workflow] = []
        self.answer_lost = False
        """A create whose outcome is unknown: its workflow is looked up by name at the end."""
        self.refusal_statuses: Counter[int] = Counter()
        """Statuses of the creates meant to be refused, kept out of the U-2 check."""

    def run(self) -> None:
        try:
            self._guarded(self._refusals)
            self._guarded(self._lifecycle)
        finally:
            self._delete()
            self._check_statuses()

    def _guarded(self, step: Callable[[], None]) -> None:
        try:
            step()
        except ThenaError as error:
            self.report.add("probe", "the write probe ran to the end", False, str(error))

    def _lifecycle(self) -> None:
        self._guarded(self._answer_shape)
        created = self._create()
        if self.check_executions is not None:
            self.check_executions(created.unique_identifier)
        patched = self._patch(created)
        self._toggle(patched)

    def _body(self, suffix: str = "") -> dict[str, Any]:
        return {
            "name": self.name + suffix,
            "triggerEvent": self._event,
            "executingAgent": "thena-workflows-doctor",
            "metadata": {PROBE_METADATA_KEY: self.token},
            "workflowDefinition": [
                {
                    "stepIdentifier": 1,
                    "activity": {"uniqueIdentifier": self._activity},
                    "input": {},
                }
            ],
        }

    @functools.cached_property
    def _event(self) -> str:
        return self._first(self.client.list_events, "event_name", FALLBACK_EVENT)

    @functools.cached_property
    def _activity(self) -> str:
        return self._first(self.client.list_activities, "unique_identifier", FALLBACK_ACTIVITY)

    def _first(self, fetch: Callable[[], list[Any]], attribute: str, fallback: str) -> str:
        try:
            items = fetch()
        except NotFoundError:
            return fallback
        values = [getattr(item, attribute) for item in items if getattr(item, attribute, None)]
        return str(values[0]) if values else fallback

    def _has_token(self, workflow: Workflow) -> bool:
        return (workflow.metadata or {}).get(PROBE_METADATA_KEY) == self.token

    def _create(self) -> Workflow:
        try:
            created = self.client.create_workflow(self._body())
        except ThenaError as error:
            if not isinstance(error, ThenaApiError):  # an error status made nothing
                self.answer_lost = True
            raise
        self.made.append(created)
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
        if toggled is None:  # an answer without a body (U-25): read what the toggle did
            toggled = self.client.get_workflow(before.unique_identifier)
        flipped = toggled.is_active is not None and toggled.is_active != before.is_active
        same_version = toggled.version == before.version
        self.report.add(
            "U-9",
            "toggle flips isActive, keeps the version",
            flipped and same_version,
            f"isActive {before.is_active} -> {toggled.is_active}, "
            f"version {before.version} -> {toggled.version}",
        )

    # -- what an answer shows (U-22) -------------------------------------------------------------

    def _answer_shape(self) -> None:
        """Create a workflow with an approval step; say what the answer leaves out, reshapes,
        fills or shows as {}, and whether the provider reads it back as what was sent."""
        body = self._body("-shape")
        step = {
            **body["workflowDefinition"][0],
            "stepIdentifier": 2,
            "dependencies": ["1"],
            "requireApproval": True,
            "approver": {"type": "USER", "uid": "thena-workflows-doctor", "timeout": 3600},
        }
        body["workflowDefinition"] = [*body["workflowDefinition"], step]
        try:
            created = self.client.create_workflow(body)
        except ThenaApiError as error:
            self.report.add(U22, SHAPE_CHECK, None, f"the create was refused: {error}")
            return
        self.made.append(created)
        answered = {s.get("stepIdentifier"): s for s in created.workflow_definition or []}
        sent = {s["stepIdentifier"]: s for s in body["workflowDefinition"]}
        differences = answer_differences(sent, answered)
        wanted = canonical_inputs(body).inputs
        try:
            drift = changed_fields(wanted, live_to_inputs(created, wanted), new_is_canonical=True)
        except UnreadableWorkflowError as error:
            self.report.add(U22, SHAPE_CHECK, False, str(error))
            return
        drift = [field for field in drift if field not in ("isActive", "metadata")]
        detail = "; ".join(differences) or "the answer shows the steps as sent"
        if drift:
            detail += f"; read back, these differ: {', '.join(drift)}"
        self.report.add(U22, SHAPE_CHECK, not drift, detail)

    # -- creates the API should refuse ---------------------------------------------------------

    def _refusals(self) -> None:
        """U-10 and U-16: a create missing what the SPEC takes to be required gets a 400."""
        without_agent = self._body("-no-agent")
        del without_agent["executingAgent"]
        self._refused("U-10", NO_AGENT, without_agent, "sends executingAgent")
        pinned = self._body("-no-version")
        pinned["workflowDefinition"][0]["activity"]["autoUpgradeToLatestVersion"] = False
        self._refused("U-16", NO_VERSION, pinned, "requires a version on pinned activities")

    def _refused(self, assumption: str, check: str, body: dict[str, Any], client_does: str) -> None:
        route = self._create_route()
        before = Counter(self.client.stats.statuses(route))
        try:
            made = self.client.create_workflow(body)
        except ThenaApiError as error:
            held = error.status == REFUSED_STATUS
            also = "; the client reads 400 and 422 alike" if error.status == 422 else ""
            said = scrub("; ".join(error.messages)) or "no message"  # the server's own words
            self.report.add(assumption, check, held, f"{error.status}: {said}{also}")
            return
        except ThenaError as error:
            self.answer_lost = True
            self.report.add(assumption, check, None, f"no answer: {error}")
            return
        finally:
            self.refusal_statuses += Counter(self.client.stats.statuses(route)) - before
        self.made.append(made)
        self.report.add(
            assumption,
            check,
            False,
            f"accepted as {made.unique_identifier} (deleted again); the client {client_does} "
            "anyway, so nothing depends on the refusal",
        )

    def _create_route(self) -> str:
        return f"POST {self.client.paths.workflows}"

    # -- clean-up and statuses -----------------------------------------------------------------

    def _delete(self) -> None:
        """Delete everything the probe made; one U-11 finding for all of them."""
        outcomes: list[tuple[bool, str]] = []
        for workflow in self._leftovers():
            uid = workflow.unique_identifier
            try:
                self.client.delete_workflow(uid)
            except ThenaError as error:
                outcomes.append((False, f"{uid} is left behind; delete it: {error}"))
                continue
            gone = self._is_gone(uid)
            outcomes.append((gone, f"{uid}: " + ("404" if gone else "still there")))
        if outcomes:
            self.report.add(
                "U-11",
                "DELETE answers 2xx; then GET is 404",
                all(gone for gone, _ in outcomes),
                "; ".join(detail for _, detail in outcomes),
            )

    def _leftovers(self) -> Iterator[Workflow]:
        """What the probe made, plus, if a create's answer was lost, its workflows by name."""
        found = {workflow.unique_identifier: workflow for workflow in self.made}
        if self.answer_lost:
            try:
                listed = self.client.list_workflows()
            except ThenaError:
                listed = []
            for workflow in listed:
                if (workflow.name or "").startswith(self.name):
                    found.setdefault(workflow.unique_identifier, workflow)
        yield from found.values()

    def _is_gone(self, unique_identifier: str) -> bool:
        try:
            self.client.get_workflow(unique_identifier)
        except NotFoundError:
            return True
        return False

    def _check_statuses(self) -> None:
        """U-2, from the statuses the client saw on each write route during the probe."""
        paths = self.client.paths
        writes = {
            "create": (self._create_route(), 201),
            "PATCH": (f"PATCH {paths.workflow}", 200),
            "toggle": (f"POST {paths.toggle}", 200),
            "DELETE": (f"DELETE {paths.workflow}", 200),
        }
        stats = self.client.stats
        seen = {what: Counter(stats.statuses(route)) for what, (route, _) in writes.items()}
        seen["create"] -= self.refusal_statuses
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
