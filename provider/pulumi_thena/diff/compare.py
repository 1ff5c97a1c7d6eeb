"""Comparison of canonical inputs: which top-level fields changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_thena.diff.canonical import canonical_or_plain
from pulumi_thena.diff.keys import raw_changes
from pulumi_thena.models.fields import DEFINITION_FIELDS, IMMUTABLE_FIELDS


def changed_fields(
    old: Mapping[str, Any], new: Mapping[str, Any], *, new_is_canonical: bool = False
) -> list[str]:
    """Top-level definition fields (``isActive`` included) whose canonical values differ.

    ``new_is_canonical`` says that ``new`` came out of ``canonical_inputs`` (the provider's
    checked inputs), so that only ``old`` needs canonicalizing.
    """
    # Each top-level field canonicalizes on its own, so a field equal as it is cannot differ in
    # canonical form: only the fields that differ as they are need the (costly) validation.
    differing = raw_changes(old, new, DEFINITION_FIELDS)
    if all(_plainly_different(old.get(name), new.get(name)) for name in differing):
        return differing  # includes no differing fields at all
    before = canonical_or_plain(old)
    after = new if new_is_canonical else canonical_or_plain(new)
    return [name for name in differing if before.get(name) != after.get(name)]


def _plainly_different(old: Any, new: Any) -> bool:
    """Two different strings, or two different booleans: no canonical form makes them equal."""
    return type(old) is type(new) and type(old) in (str, bool)


def replacement_fields(changed: list[str]) -> list[str]:
    """Changed fields that the update endpoint cannot change (``type``, ``subType``)."""
    return [name for name in changed if name in IMMUTABLE_FIELDS]
