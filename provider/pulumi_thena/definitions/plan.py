"""Plan: what ``pulumi up`` would change in the live org, from the files alone (no Pulumi state).

Files are matched to live workflows by the provider's own rule (``diff.ownership.match``): by
the owner marker ``<project>/<stack>/<file stem>`` (or a previous name), else, for files with
``adoptExisting``, by name and team among unmarked workflows. Both sides go through the
provider's canonical form (``canonical_or_plain``, ``live_to_inputs``) and are compared with
``changed_fields`` and ``field_changes``. The stack policy (include, activation) is applied as
the program applies it.

Secrets are compared when the Pulumi CLI decrypts them (the command line asks it); those it
cannot decrypt are not compared. Secret values are never shown.

The stack's guardrails ran when the stack loaded: a mandatory finding stopped it before any API
call; the plan carries the advisory ones and what the files' exemptions waived.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from pulumi_thena.definitions.errors import FileProblem
from pulumi_thena.definitions.guarding import ExemptedFinding
from pulumi_thena.definitions.loader import LoadedWorkflow
from pulumi_thena.definitions.policy import StackPolicy
from pulumi_thena.definitions.stack import StackDefinitions
from pulumi_thena.definitions.variables import REDACTED
from pulumi_thena.diff import (
    OWNER_METADATA_KEY,
    MatchKind,
    Wanted,
    canonical_or_plain,
    changed_fields,
    field_changes,
    live_to_inputs,
    match,
    owner_marker,
    owner_of,
    replacement_fields,
    resource_of,
)
from pulumi_thena.diff.errors import UnreadableWorkflowError
from pulumi_thena.models import Workflow

UNRESOLVED_SECRET = "${secret."
"""How a secret that could not be decrypted appears in a loaded definition."""
NOT_COMPARED = "[secret, not compared]"
ADOPTED_UNCHANGED = (
    "adopted by the next `pulumi up` (it adds the owner marker; nothing else changes)"
)
ABSENT = "(absent)"


class Action(StrEnum):
    """What ``pulumi up`` would do with one workflow."""

    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    TOGGLE = "toggle"
    DELETE = "delete"
    CONFLICT = "conflict"
    UNCHANGED = "unchanged"
    RETAIN = "retain"
    """No file defines it, and retainOnDelete keeps it in Thena: no change to the org."""


NO_CHANGE = frozenset({Action.UNCHANGED, Action.RETAIN})


@dataclass(frozen=True)
class FieldChange:
    """One field path that differs: its live value and the value the files want."""

    path: str
    live: Any
    wanted: Any

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "live": self.live, "wanted": self.wanted}


@dataclass(frozen=True)
class PlanItem:
    """One workflow of the plan: the file (resource) and the live workflow it matches."""

    action: Action
    resource: str
    name: str
    unique_identifier: str | None = None
    file: str | None = None
    matched_by: str | None = None
    fields: tuple[str, ...] = ()
    changes: tuple[FieldChange, ...] = ()
    note: str | None = None
    live: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    """The live workflow in the user's terms, secrets masked (for pictures of the change)."""
    wanted: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    """What the file wants, secrets masked."""

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action.value,
            "resource": self.resource,
            "name": self.name,
            "uniqueIdentifier": self.unique_identifier,
            "file": self.file,
            "matchedBy": self.matched_by,
            "fields": list(self.fields),
            "changes": [change.to_json() for change in self.changes],
            "note": self.note,
        }


@dataclass(frozen=True)
class UnmanagedWorkflow:
    """A live workflow no file of this stack manages."""

    unique_identifier: str
    name: str | None
    team_id: str | None
    owner: str | None
    is_active: bool | None

    @classmethod
    def of(cls, live: Workflow) -> UnmanagedWorkflow:
        marker = owner_marker(live.metadata)
        return cls(live.unique_identifier, live.name, live.team_id, marker, live.is_active)

    def to_json(self) -> dict[str, Any]:
        return {
            "uniqueIdentifier": self.unique_identifier,
            "name": self.name,
            "teamId": self.team_id,
            "owner": self.owner,
            "isActive": self.is_active,
        }


@dataclass(frozen=True)
class Plan:
    """Every file of the stack and every live workflow, and what would happen to each."""

    project: str
    stack: str
    items: tuple[PlanItem, ...]
    unmanaged: tuple[UnmanagedWorkflow, ...] = ()
    secrets_compared: bool | None = None
    """Whether encrypted secrets were decrypted and compared; None: the stack has none."""
    warnings: tuple[FileProblem, ...] = ()
    """What the stack's advisory guardrails and lints found."""
    exempted: tuple[ExemptedFinding, ...] = ()
    """What the files' guardrail exemptions waived, with their reasons."""

    @property
    def has_changes(self) -> bool:
        return any(item.action not in NO_CHANGE for item in self.items)

    def counts(self) -> dict[str, int]:
        return {action.value: sum(i.action is action for i in self.items) for action in Action}

    def to_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stack": self.stack,
            "hasChanges": self.has_changes,
            "secretsCompared": self.secrets_compared,
            "summary": {**self.counts(), "unmanaged": len(self.unmanaged)},
            "items": [item.to_json() for item in self.items],
            "unmanaged": [workflow.to_json() for workflow in self.unmanaged],
            "warnings": [_warning_json(warning) for warning in self.warnings],
            "exempted": [item.to_json() for item in self.exempted],
        }


def _warning_json(problem: FileProblem) -> dict[str, Any]:
    return {
        "file": problem.file,
        "path": problem.path,
        "line": problem.line,
        "message": problem.message,
    }


def build_plan(stack: StackDefinitions, live: Sequence[Workflow], project: str) -> Plan:
    """Compare what ``stack`` deploys with the live workflows of its org."""
    claimed: set[str] = set()
    items = []
    for loaded in stack.workflows:
        item, accounted = _plan_file(loaded, stack.policy, live, project, stack.stack, claimed)
        claimed.update(accounted)
        items.append(item)
    leftovers = [wf for wf in live if wf.unique_identifier not in claimed]
    ours = [wf for wf in leftovers if resource_of(owner_marker(wf.metadata), project, stack.stack)]
    items += [_delete(wf, project, stack.stack, stack.policy) for wf in ours]
    unmanaged = tuple(UnmanagedWorkflow.of(wf) for wf in leftovers if wf not in ours)
    guardrails = stack.guardrails
    return Plan(
        project,
        stack.stack,
        tuple(items),
        unmanaged,
        warnings=guardrails.advisory,
        exempted=guardrails.exempted,
    )


def wanted_of(loaded: LoadedWorkflow, project: str, stack: str) -> Wanted:
    """What matching needs of a file: its owner markers (current and former), name, team, kind."""
    definition = loaded.definition
    return Wanted(
        owner=owner_of(project, stack, loaded.stem),
        name=definition.name,
        team_id=definition.team_id,
        kind=(definition.type, definition.sub_type),
        previous_owners=tuple(owner_of(project, stack, old) for old in loaded.previous_names),
        adopt=loaded.adopt_existing,
    )


def _plan_file(
    loaded: LoadedWorkflow,
    policy: StackPolicy,
    live: Sequence[Workflow],
    project: str,
    stack: str,
    claimed: set[str],
) -> tuple[PlanItem, frozenset[str]]:
    """The item of one file, and the uniqueIdentifiers it accounts for (``ownership.match``)."""
    wanted = wanted_of(loaded, project, stack)
    found = match(live, wanted, claimed)
    workflow = found.workflow
    if found.kind is MatchKind.CONFLICT:
        return _item(loaded, Action.CONFLICT, live=workflow, note=found.reason), found.accounts_for
    if found.kind is MatchKind.CREATE or workflow is None:
        item = _item(loaded, Action.CREATE, note=found.reason)
        wanted_now = masked(wanted_inputs(loaded, policy), canonical_secret_paths(loaded), REDACTED)
        return replace(item, wanted=wanted_now), found.accounts_for
    if found.kind is MatchKind.ADOPT:
        item = compare_file(loaded, policy, workflow, matched_by="name")
        if item.action is Action.UNCHANGED:
            item = replace(item, note=ADOPTED_UNCHANGED)
        return item, found.accounts_for
    item = compare_file(loaded, policy, workflow, matched_by="owner")
    if found.marker_moves(wanted):
        item = _with_marker_moved(item, owner_marker(workflow.metadata), wanted.owner)
    return item, found.accounts_for


def _with_marker_moved(item: PlanItem, marker: str | None, owner: str) -> PlanItem:
    """A file matched by a previous name: ``pulumi up`` moves the owner marker (one PATCH)."""
    if item.action is Action.REPLACE:  # a replacement is stamped anew
        return item
    change = FieldChange(f"metadata.{OWNER_METADATA_KEY}", marker, owner)
    fields = item.fields if "metadata" in item.fields else (*item.fields, "metadata")
    return replace(
        item,
        action=Action.UPDATE,
        fields=fields,
        changes=(*item.changes, change),
        note=f"renamed from {marker}: `pulumi up` moves the owner marker",
    )


def _item(
    loaded: LoadedWorkflow,
    action: Action,
    *,
    live: Workflow | None = None,
    note: str | None = None,
) -> PlanItem:
    return PlanItem(
        action=action,
        resource=loaded.stem,
        name=loaded.definition.name,
        unique_identifier=live.unique_identifier if live else None,
        file=loaded.file,
        note=note,
    )


def _delete(live: Workflow, project: str, stack: str, policy: StackPolicy) -> PlanItem:
    resource = resource_of(owner_marker(live.metadata), project, stack) or "?"
    notes = ["no file of this stack defines it"]
    if policy.retain_on_delete:
        notes.append(
            "retainOnDelete: `pulumi up` keeps it in Thena (and forgets it, if the stack's "
            "state still has it)"
        )
    if policy.protect:
        notes.append("protect: `pulumi up` stops until protection is lifted")
    try:
        shown: Mapping[str, Any] | None = live_to_inputs(live)
    except UnreadableWorkflowError:
        shown = None
    return PlanItem(
        action=Action.RETAIN if policy.retain_on_delete else Action.DELETE,
        resource=resource,
        name=live.name or "?",
        unique_identifier=live.unique_identifier,
        matched_by="owner",
        note="; ".join(notes),
        live=shown,
    )


def wanted_inputs(loaded: LoadedWorkflow, policy: StackPolicy) -> dict[str, Any]:
    """The file's definition in canonical form, with the activation the stack policy gives."""
    props = loaded.definition.to_wire()
    props["isActive"] = policy.is_active(loaded.stem, loaded.is_active)
    return canonical_or_plain(props)


def compare_file(
    loaded: LoadedWorkflow, policy: StackPolicy, live: Workflow, *, matched_by: str
) -> PlanItem:
    """What would change to bring ``live`` to the file's definition."""
    wanted = wanted_inputs(loaded, policy)
    try:
        current = live_to_inputs(live, wanted)
    except UnreadableWorkflowError as error:
        return _item(loaded, Action.CONFLICT, live=live, note=str(error))
    secret_paths = canonical_secret_paths(loaded)
    wanted, current = _without_unresolved_secrets(wanted, current, secret_paths)
    fields = changed_fields(current, wanted)
    return PlanItem(
        action=classify(fields),
        resource=loaded.stem,
        name=loaded.definition.name,
        unique_identifier=live.unique_identifier,
        file=loaded.file,
        matched_by=matched_by,
        fields=tuple(fields),
        changes=tuple(detailed_changes(current, wanted, secret_paths)),
        live=masked(current, secret_paths, REDACTED),
        wanted=masked(wanted, secret_paths, REDACTED),
    )


def classify(fields: Sequence[str]) -> Action:
    """The action that makes ``fields`` equal: replace, update, toggle, or nothing."""
    if not fields:
        return Action.UNCHANGED
    if replacement_fields(list(fields)):
        return Action.REPLACE
    return Action.TOGGLE if list(fields) == ["isActive"] else Action.UPDATE


def detailed_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], secret_paths: Sequence[str] = ()
) -> list[FieldChange]:
    """Each differing field path with both values; secret values shown as ``[secret]``."""
    shown_before = masked(before, secret_paths, REDACTED)
    shown_after = masked(after, secret_paths, REDACTED)
    return [
        FieldChange(path, value_at(shown_before, path), value_at(shown_after, path))
        for path in field_changes(before, after)
    ]


# -- secrets -------------------------------------------------------------------------------


def canonical_secret_paths(loaded: LoadedWorkflow) -> list[str]:
    """The file's secret paths, with step indices in canonical (stepIdentifier) order."""
    steps = loaded.definition.workflow_definition
    order = sorted(step.step_identifier for step in steps)
    sids = [step.step_identifier for step in steps]
    return [to_canonical_step_path(path, sids, order) for path in loaded.secret_paths]


_STEP_PATH = re.compile(r"^workflowDefinition\[(\d+)\]")


def to_canonical_step_path(path: str, file_sids: Sequence[int], order: Sequence[int]) -> str:
    """``workflowDefinition[i]...`` of the file -> the index of that step once sorted by id."""
    match = _STEP_PATH.match(path)
    if match is None or int(match.group(1)) >= len(file_sids):
        return path
    index = list(order).index(file_sids[int(match.group(1))])
    return f"workflowDefinition[{index}]{path[match.end() :]}"


def _without_unresolved_secrets(
    wanted: dict[str, Any], current: dict[str, Any], secret_paths: Sequence[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both sides with secrets that could not be decrypted set to the same stand-in."""
    unresolved = [
        path
        for path in secret_paths
        if UNRESOLVED_SECRET in str(value_at(wanted, path)) and locate(current, path) is not None
    ]
    return masked(wanted, unresolved, NOT_COMPARED), masked(current, unresolved, NOT_COMPARED)


def masked(data: Mapping[str, Any], paths: Sequence[str], stand_in: str) -> dict[str, Any]:
    """A copy of ``data`` with the value at each of ``paths`` (where present) replaced."""
    copied: dict[str, Any] = copy.deepcopy(dict(data))
    for path in paths:
        tokens = locate(copied, path)
        if tokens:
            set_at(copied, tokens, stand_in)
    return copied


# -- field paths ---------------------------------------------------------------------------

Token = str | int
_INDEX = re.compile(r"^\[(\d+)\]")


def locate(data: Any, path: str) -> list[Token] | None:
    """The keys and indices of ``path`` (``a.b[2].c``) in ``data``, or None if absent.

    Keys may themselves hold dots (filter keys such as ``ticket.priority``): at each level
    the longest key that fits the rest of the path wins.
    """
    tokens: list[Token] = []
    node, rest = data, path
    while rest:
        index = _INDEX.match(rest)
        if index is not None:
            position = int(index.group(1))
            if not isinstance(node, list) or position >= len(node):
                return None
            node, rest = node[position], rest[index.end() :]
            tokens.append(position)
            continue
        rest = rest.removeprefix(".")
        key = _longest_key(node, rest)
        if key is None:
            return None
        node, rest = node[key], rest[len(key) :]
        tokens.append(key)
    return tokens


def _longest_key(node: Any, rest: str) -> str | None:
    if not isinstance(node, dict):
        return None
    fitting = [
        key
        for key in node
        if isinstance(key, str)
        and (rest == key or rest.startswith(f"{key}.") or rest.startswith(f"{key}["))
    ]
    return max(fitting, key=len) if fitting else None


def value_at(data: Any, path: str, default: Any = ABSENT) -> Any:
    """The value at ``path``, or ``default`` when the path is absent."""
    tokens = locate(data, path)
    if tokens is None:
        return default
    node = data
    for token in tokens:
        node = node[token]
    return node


def set_at(data: Any, tokens: Sequence[Token], value: Any) -> None:
    """Set the value at an existing location found by ``locate``."""
    node = data
    for token in tokens[:-1]:
        node = node[token]
    node[tokens[-1]] = value
