"""diff-envs: the live workflows of two stacks compared, minus what is meant to differ.

A resource (file stem) of stack A is compared with the same resource of stack B, each found by
its owner marker. Both go through the provider's canonical form. Before comparing, A's values
are moved into B's terms: where the definition file has a placeholder and A's live value is
what the file gives with A's variables, it becomes what the file gives with B's variables (this
covers numbers and text around a placeholder); anywhere else, a string equal to one of A's
variables becomes B's value of that variable. Activation follows each stack's policy the same
way, and secrets are not compared (each environment has its own).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pulumi_thena.definitions.plan import (
    FieldChange,
    detailed_changes,
    locate,
    masked,
    set_at,
    value_at,
)
from pulumi_thena.definitions.stack import StackSettings
from pulumi_thena.definitions.variables import UNRESOLVED, Substitutions, resolve, string_leaves
from pulumi_thena.diff import (
    changed_fields,
    live_to_inputs,
    owner_marker,
    resource_of,
)
from pulumi_thena.diff.errors import UnreadableWorkflowError
from pulumi_thena.models import Workflow

NOT_COMPARED = "[secret, not compared]"
_SECRET = "${secret."


class Status(StrEnum):
    """How a resource of stack A compares with the same resource of stack B."""

    SAME = "same"
    DIFFERENT = "different"
    ONLY_FROM = "only-in-from"
    ONLY_TO = "only-in-to"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Environment:
    """One stack: its name, its settings (variables, policy) and its org's live workflows."""

    stack: str
    settings: StackSettings
    live: Sequence[Workflow]


@dataclass(frozen=True)
class EnvItem:
    """One resource in both stacks."""

    resource: str
    status: Status
    from_id: str | None = None
    to_id: str | None = None
    name: str | None = None
    fields: tuple[str, ...] = ()
    changes: tuple[FieldChange, ...] = ()
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "status": self.status.value,
            "name": self.name,
            "fromUniqueIdentifier": self.from_id,
            "toUniqueIdentifier": self.to_id,
            "fields": list(self.fields),
            "changes": [{"path": c.path, "from": c.live, "to": c.wanted} for c in self.changes],
            "note": self.note,
        }


@dataclass(frozen=True)
class EnvDiff:
    """Every resource of either stack and how the two compare."""

    from_stack: str
    to_stack: str
    items: tuple[EnvItem, ...]

    @property
    def has_differences(self) -> bool:
        return any(item.status is not Status.SAME for item in self.items)

    def to_json(self) -> dict[str, Any]:
        counts = {s.value: sum(i.status is s for i in self.items) for s in Status}
        return {
            "from": self.from_stack,
            "to": self.to_stack,
            "hasDifferences": self.has_differences,
            "summary": counts,
            "items": [item.to_json() for item in self.items],
        }


def compare_environments(
    project: str, source: Environment, target: Environment, files: Mapping[str, Any]
) -> EnvDiff:
    """Compare each resource of ``source`` and ``target``; ``files`` are raw file data by stem."""
    from_owned = _owned(project, source)
    to_owned = _owned(project, target)
    items = [
        _compare_resource(
            stem, from_owned.get(stem, []), to_owned.get(stem, []), source, target, files.get(stem)
        )
        for stem in sorted({*from_owned, *to_owned})
    ]
    return EnvDiff(source.stack, target.stack, tuple(items))


def _owned(project: str, env: Environment) -> dict[str, list[Workflow]]:
    """The stack's live workflows by resource (file stem), as their owner markers say."""
    grouped: dict[str, list[Workflow]] = {}
    for workflow in env.live:
        resource = resource_of(owner_marker(workflow.metadata), project, env.stack)
        if resource is not None:
            grouped.setdefault(resource, []).append(workflow)
    return grouped


def _compare_resource(
    stem: str,
    in_from: list[Workflow],
    in_to: list[Workflow],
    source: Environment,
    target: Environment,
    raw: Any,
) -> EnvItem:
    if len(in_from) > 1 or len(in_to) > 1:
        ids = ", ".join(wf.unique_identifier for wf in [*in_from, *in_to])
        note = f"more than one workflow carries this resource's owner marker ({ids})"
        return EnvItem(stem, Status.CONFLICT, note=note)
    if not in_to:
        live = in_from[0]
        return EnvItem(stem, Status.ONLY_FROM, from_id=live.unique_identifier, name=live.name)
    if not in_from:
        live = in_to[0]
        return EnvItem(stem, Status.ONLY_TO, to_id=live.unique_identifier, name=live.name)
    return compare_pair(stem, in_from[0], in_to[0], source.settings, target.settings, raw)


def compare_pair(
    stem: str,
    from_live: Workflow,
    to_live: Workflow,
    source: StackSettings,
    target: StackSettings,
    raw: Any,
) -> EnvItem:
    """One workflow of each stack, compared once A's values are put in B's terms."""
    try:
        before = live_to_inputs(from_live)
        after = live_to_inputs(to_live, before)
    except UnreadableWorkflowError as error:
        return EnvItem(
            stem,
            Status.CONFLICT,
            from_live.unique_identifier,
            to_live.unique_identifier,
            to_live.name,
            note=str(error),
        )
    mapped = in_target_terms(stem, before, source, target, raw)
    secret_paths = [path for path, text in _placeholder_paths(raw) if _SECRET in text]
    canonical_secrets = _canonical_paths(secret_paths, raw, before)
    mapped = masked(mapped, canonical_secrets, NOT_COMPARED)
    after = masked(after, canonical_secrets, NOT_COMPARED)
    fields = changed_fields(mapped, after)
    return EnvItem(
        stem,
        Status.DIFFERENT if fields else Status.SAME,
        from_id=from_live.unique_identifier,
        to_id=to_live.unique_identifier,
        name=to_live.name,
        fields=tuple(fields),
        changes=tuple(detailed_changes(mapped, after)),
    )


def in_target_terms(
    stem: str,
    inputs: dict[str, Any],
    source: StackSettings,
    target: StackSettings,
    raw: Any,
) -> dict[str, Any]:
    """``inputs`` of stack A with A's environment-specific values replaced by B's."""
    mapped = copy.deepcopy(inputs)
    if isinstance(raw, dict):
        _map_placeholders(mapped, raw, source, target)
        written = raw.get("isActive") if isinstance(raw.get("isActive"), bool) else None
        if mapped.get("isActive") == source.policy.is_active(stem, written):
            mapped["isActive"] = target.policy.is_active(stem, written)
    result: dict[str, Any] = _map_strings(mapped, _string_pairs(source.variables, target.variables))
    return result


def _map_placeholders(
    mapped: dict[str, Any], raw: dict[str, Any], source: StackSettings, target: StackSettings
) -> None:
    """Where the file has a placeholder and A's value is the file's, use the file's for B."""
    from_file = _resolved(raw, source)
    to_file = _resolved(raw, target)
    for path, text in _placeholder_paths(raw):
        if _SECRET in text:
            continue
        canonical = _canonical_paths([path], raw, mapped)[0]
        tokens = locate(mapped, canonical)
        expected = value_at(from_file, path)
        if tokens is not None and value_at(mapped, canonical) == expected:
            set_at(mapped, tokens, value_at(to_file, path))


def _resolved(raw: dict[str, Any], settings: StackSettings) -> Any:
    secrets = dict.fromkeys(settings.secrets, UNRESOLVED)
    return resolve(raw, Substitutions(settings.variables, secrets), reveal_secrets=False).value


def _placeholder_paths(raw: Any) -> Iterator[tuple[str, str]]:
    """Each path of the file whose string holds a placeholder, with that string."""
    return ((path, text) for path, text in string_leaves(raw) if "${" in text.replace("$${", ""))


def _canonical_paths(paths: Sequence[str], raw: Any, canonical: Mapping[str, Any]) -> list[str]:
    """File paths with the step index turned into the index of that step in ``canonical``."""
    file_steps = raw.get("workflowDefinition") if isinstance(raw, dict) else None
    live_steps = canonical.get("workflowDefinition")
    if not isinstance(file_steps, list) or not isinstance(live_steps, list):
        return list(paths)
    file_sids = [s.get("stepIdentifier") if isinstance(s, dict) else None for s in file_steps]
    live_sids = [s.get("stepIdentifier") if isinstance(s, dict) else None for s in live_steps]
    return [_step_path(path, file_sids, live_sids) for path in paths]


def _step_path(path: str, file_sids: list[Any], live_sids: list[Any]) -> str:
    prefix = "workflowDefinition["
    if not path.startswith(prefix):
        return path
    index_text, _, rest = path[len(prefix) :].partition("]")
    index = int(index_text) if index_text.isdigit() else len(file_sids)
    sid = file_sids[index] if index < len(file_sids) else None
    if sid is None or sid not in live_sids:
        return path
    return f"{prefix}{live_sids.index(sid)}]{rest}"


def _string_pairs(source: Mapping[str, Any], target: Mapping[str, Any]) -> dict[str, str]:
    """A's string variable values -> B's values of the same names (unambiguous ones only)."""
    pairs: dict[str, str] = {}
    clashing: set[str] = set()
    for name, value in source.items():
        other = target.get(name)
        if not isinstance(value, str) or not isinstance(other, str) or not value:
            continue
        if value in pairs and pairs[value] != other:
            clashing.add(value)
        pairs[value] = other
    return {value: other for value, other in pairs.items() if value not in clashing}


def _map_strings(data: Any, pairs: Mapping[str, str]) -> Any:
    if isinstance(data, dict):
        return {key: _map_strings(value, pairs) for key, value in data.items()}
    if isinstance(data, list):
        return [_map_strings(value, pairs) for value in data]
    if isinstance(data, str):
        return pairs.get(data, data)
    return data
