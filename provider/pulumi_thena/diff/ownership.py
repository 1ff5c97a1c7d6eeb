"""Ownership: the owner marker, and the one rule that matches a definition to a live workflow.

Every workflow the provider creates carries ``<project>/<stack>/<resource>`` under the reserved
metadata key ``pulumi-thena:owner``. ``match`` decides, from the live workflows alone, what
``pulumi up`` does with one definition: it owns a workflow already (its marker, or the marker of
a previous name), adopts an unmanaged one (``adoptExisting``, by name and team), creates one, or
cannot go on (a conflict, with the reason and what to do). The provider, ``plan``, ``diff-envs``
and ``runs`` all use it, so that what ``plan`` predicts is what ``up`` does.

Standard library only: the provider's unchanged path imports this module.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

OWNER_METADATA_KEY = "pulumi-thena:owner"
"""The reserved metadata key carrying the owner marker; reads and diffs hide it."""


class LiveWorkflow(Protocol):
    """What matching reads of a live workflow (``pulumi_thena.models.Workflow`` has it)."""

    @property
    def unique_identifier(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def team_id(self) -> str | None: ...
    @property
    def type(self) -> str | None: ...
    @property
    def sub_type(self) -> str | None: ...
    @property
    def metadata(self) -> dict[str, Any] | None: ...


W = TypeVar("W", bound=LiveWorkflow)


def owner_of(project: str, stack: str, resource: str) -> str:
    """The owner marker of ``resource`` in ``stack`` of ``project``."""
    return f"{project}/{stack}/{resource}"


def stack_prefix(project: str, stack: str) -> str:
    """What every owner marker of ``stack`` starts with."""
    return owner_of(project, stack, "")


def owner_marker(metadata: Mapping[str, Any] | None) -> str | None:
    """The owner marker in a workflow's metadata, if it has one."""
    value = (metadata or {}).get(OWNER_METADATA_KEY)
    return value if isinstance(value, str) else None


def strip_owner(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    """The metadata without the owner marker (what a user wrote)."""
    return {k: v for k, v in (metadata or {}).items() if k != OWNER_METADATA_KEY}


def resource_of(marker: str | None, project: str, stack: str | None = None) -> str | None:
    """The resource a marker names, if it belongs to ``project`` (and ``stack``, when given)."""
    parts = (marker or "").split("/")
    if len(parts) != 3 or parts[0] != project or not parts[2]:
        return None
    return parts[2] if stack is None or parts[1] == stack else None


def stack_of(marker: str | None) -> str | None:
    """The stack a well-formed marker names."""
    parts = (marker or "").split("/")
    return parts[1] if len(parts) == 3 else None


class MatchKind(StrEnum):
    OWNED = "owned"
    ADOPT = "adopt"
    CREATE = "create"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Wanted:
    """What one definition (file or resource) asks for, as far as matching cares."""

    owner: str
    name: str
    team_id: str | None
    kind: tuple[str, str]
    """``(type, subType)``; neither can change in place."""
    previous_owners: tuple[str, ...] = ()
    adopt: bool = False


@dataclass(frozen=True)
class Match(Generic[W]):
    """What ``pulumi up`` does with one definition, and the live workflows that accounts for."""

    kind: MatchKind
    workflow: W | None = None
    reason: str | None = None
    """Why a conflict stops ``up`` (and what to do), or a note on a create."""
    accounts_for: frozenset[str] = frozenset()

    def marker_moves(self, wanted: Wanted) -> bool:
        """Whether ``up`` rewrites the marker (a rename through ``previousNames``, an adoption)."""
        return self.workflow is not None and owner_marker(self.workflow.metadata) != wanted.owner

    def kind_changes(self, wanted: Wanted) -> bool:
        """Whether the owned workflow has another type/subType than wanted (a replacement)."""
        wf = self.workflow
        return wf is not None and (wf.type, wf.sub_type) != wanted.kind


def match(live: Iterable[W], wanted: Wanted, claimed: Collection[str] = ()) -> Match[W]:
    """The one rule: marker (or a previous name's), then ``adoptExisting``, else a create."""
    free = [wf for wf in live if wf.unique_identifier not in claimed]
    owners = (wanted.owner, *wanted.previous_owners)
    owned = [wf for wf in free if owner_marker(wf.metadata) in owners]
    if len(owned) > 1:
        return _conflict(owned, _several_owned(owned, wanted.owner))
    if owned:
        return Match(MatchKind.OWNED, owned[0], accounts_for=_ids(owned))
    same = [wf for wf in free if (wf.name, wf.team_id) == (wanted.name, wanted.team_id)]
    unmarked = [wf for wf in same if owner_marker(wf.metadata) is None]
    if not wanted.adopt:
        return Match(MatchKind.CREATE, reason=_twin_note(unmarked))
    if len(unmarked) > 1:
        return _conflict(unmarked, _several_to_adopt(unmarked))
    if unmarked:
        return _adoption(unmarked[0], wanted)
    foreign = [wf for wf in same if owner_marker(wf.metadata) is not None]
    if foreign:
        first = min(foreign, key=lambda wf: wf.unique_identifier)
        return Match(MatchKind.CONFLICT, reason=_managed_elsewhere(first))
    return Match(MatchKind.CREATE)


def _adoption(candidate: W, wanted: Wanted) -> Match[W]:
    ids = frozenset({candidate.unique_identifier})
    if (candidate.type, candidate.sub_type) != wanted.kind:
        reason = (
            f"the workflow to adopt ({candidate.unique_identifier}) has type "
            f"{candidate.type}/{candidate.sub_type}, which cannot change; set type and subType "
            "in the definition to match it"
        )
        return Match(MatchKind.CONFLICT, candidate, reason, ids)
    return Match(MatchKind.ADOPT, candidate, accounts_for=ids)


def kind_change_reason(workflow: LiveWorkflow, wanted: Wanted) -> str:
    """Why a create cannot take over its own workflow of another type (state out of step)."""
    return (
        f"workflow {workflow.unique_identifier} carries this resource's owner marker but has "
        f"type {workflow.type}/{workflow.sub_type}, and the definition says "
        f"{wanted.kind[0]}/{wanted.kind[1]}, which cannot change in place; delete it in Thena "
        "or set type and subType to match it, then run `pulumi up` again"
    )


def foreign_owner(workflow: LiveWorkflow, owner: str | None) -> str | None:
    """Another owner's marker on ``workflow``: it is not ours to change or delete."""
    marker = owner_marker(workflow.metadata)
    return marker if marker is not None and owner is not None and marker != owner else None


def _ids(workflows: Sequence[LiveWorkflow]) -> frozenset[str]:
    return frozenset(wf.unique_identifier for wf in workflows)


def _listing(workflows: Sequence[LiveWorkflow]) -> str:
    return ", ".join(sorted(wf.unique_identifier for wf in workflows))


def _conflict(workflows: Sequence[W], reason: str) -> Match[W]:
    return Match(MatchKind.CONFLICT, reason=reason, accounts_for=_ids(workflows))


def _several_owned(owned: Sequence[LiveWorkflow], owner: str) -> str:
    return (
        f"{len(owned)} workflows ({_listing(owned)}) carry the owner marker '{owner}'; delete "
        "all but one in Thena, then run `pulumi up` again"
    )


def _several_to_adopt(unmarked: Sequence[LiveWorkflow]) -> str:
    return (
        f"adoptExisting finds {len(unmarked)} unmanaged workflows of this name and team "
        f"({_listing(unmarked)}); delete or rename the extra ones in Thena so that exactly one "
        "remains"
    )


def _managed_elsewhere(workflow: LiveWorkflow) -> str:
    return (
        f"workflow {workflow.unique_identifier} of this name and team is managed by "
        f"'{owner_marker(workflow.metadata)}'; adoptExisting only takes over unmanaged "
        "workflows. Rename this one or remove it from the other stack first"
    )


def _twin_note(unmarked: Sequence[LiveWorkflow]) -> str | None:
    if not unmarked:
        return None
    return (
        "an unmanaged workflow of the same name and team exists "
        f"({_listing(unmarked)}); set adoptExisting: true to take it over instead of creating "
        "a second one"
    )
