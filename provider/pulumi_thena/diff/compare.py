"""Comparison of canonical inputs: which top-level fields changed, and detail for people."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deepdiff import DeepDiff

from pulumi_thena.diff.canonical import canonical_or_plain, definition_fields
from pulumi_thena.models import DEFINITION_FIELDS, IMMUTABLE_FIELDS


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Top-level definition fields (``isActive`` included) whose canonical values differ."""
    # The canonical form depends on the definition fields alone, so equal fields cannot differ
    # canonically: the common case (nothing changed) then costs no validation at all.
    if definition_fields(old) == definition_fields(new):
        return []
    before, after = canonical_or_plain(old), canonical_or_plain(new)
    return [name for name in DEFINITION_FIELDS if before.get(name) != after.get(name)]


def replacement_fields(changed: list[str]) -> list[str]:
    """Changed fields that the update endpoint cannot change (``type``, ``subType``)."""
    return [name for name in changed if name in IMMUTABLE_FIELDS]


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Human-readable field paths that differ, e.g. ``workflowDefinition[1].input.text``."""
    before, after = canonical_or_plain(old), canonical_or_plain(new)
    diff = DeepDiff(before, after, ignore_order=False)
    paths: list[str] = []
    for kind in (
        "values_changed",
        "type_changes",
        "dictionary_item_added",
        "dictionary_item_removed",
        "iterable_item_added",
        "iterable_item_removed",
    ):
        paths += [_readable(path) for path in diff.get(kind, [])]
    return sorted(set(paths))


def _readable(deepdiff_path: str) -> str:
    # root['workflowDefinition'][1]['input'] -> workflowDefinition[1].input
    out = deepdiff_path.removeprefix("root")
    out = out.replace("']['", ".").replace("['", ".").replace("']", "")
    return out.lstrip(".")
