"""Field-level detail of a change, for people: ``workflowDefinition[1].input.text``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deepdiff import DeepDiff

from pulumi_thena.diff.canonical import canonical_or_plain


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
