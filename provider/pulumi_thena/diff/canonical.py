"""Canonical inputs: one normal form for what the user wrote, what state holds and what the API has.

Everything that compares definitions goes through here, so that ``1.0`` and ``1``, a default
left out and the same default written out, and steps listed in another order all compare equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from pulumi_thena.models import (
    DEFINITION_FIELDS,
    Problem,
    WorkflowDefinition,
    definition_problems,
    problems_from_validation_error,
    whole_to_int,
)

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""Pulumi's marker for a value not known during preview (``pulumi.runtime.rpc.UNKNOWN``)."""

_SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"

OWNER = "owner"
ADOPT_EXISTING = "adoptExisting"
PROVIDER_KEY = "__provider"
SETTINGS: tuple[str, ...] = (OWNER, ADOPT_EXISTING)
"""Inputs that steer the provider and are never sent to the API or compared."""

OUTPUT_FIELDS: tuple[str, ...] = ("uniqueIdentifier", "uid", "version", "createdAt", "updatedAt")
"""Outputs that only the API can fill."""

OWNER_METADATA_KEY = "pulumi-thena:owner"
"""The reserved metadata key carrying the ownership marker; reads and diffs hide it."""


@dataclass(frozen=True)
class CanonicalResult:
    """The outcome of canonicalizing one resource's inputs."""

    inputs: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    definition: WorkflowDefinition | None = None
    has_unknowns: bool = False


def is_unknown(value: Any) -> bool:
    return value == UNKNOWN or type(value).__name__ == "Unknown"


# Both walks below run over every value of every resource in check and diff: concrete types are
# tested first because isinstance against the Mapping ABC costs several times more.
_SCALARS = (str, int, float, type(None))


def contains_unknown(value: Any) -> bool:
    if isinstance(value, _SCALARS):
        return value == UNKNOWN
    if isinstance(value, list | tuple):
        return any(contains_unknown(item) for item in value)
    if isinstance(value, dict | Mapping):
        return any(contains_unknown(item) for item in value.values())
    return is_unknown(value)


def plain(value: Any) -> Any:
    """Unwrap RPC secret envelopes and turn whole floats into ints, recursively."""
    if isinstance(value, str | int | None):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict | Mapping):
        if value.get(_SECRET_SIG_KEY) is not None and "value" in value:
            return plain(value["value"])
        return {key: plain(item) for key, item in value.items()}
    return whole_to_int(value)


def definition_fields(props: Mapping[str, Any]) -> dict[str, Any]:
    """The definition part of a property bag, without settings, outputs or ``__provider``."""
    return {key: plain(props[key]) for key in DEFINITION_FIELDS if props.get(key) is not None}


def canonical_inputs(props: Mapping[str, Any]) -> CanonicalResult:
    """Validate a property bag and return it in canonical form, or the problems found.

    Inputs holding unknown values (preview, outputs of other resources) are passed through as
    they are: nothing can be validated or sent until they are known.
    """
    settings = {key: plain(props[key]) for key in SETTINGS if key in props}
    fields = definition_fields(props)
    if contains_unknown(fields):
        return CanonicalResult({**dict(props), **settings}, has_unknowns=True)
    try:
        definition = WorkflowDefinition.model_validate(fields)
    except ValidationError as error:
        problems = problems_from_validation_error(error, WorkflowDefinition)
        return CanonicalResult(dict(props), problems)
    problems = definition_problems(definition)
    if problems:
        return CanonicalResult(dict(props), problems, definition)
    canonical = definition.canonical()
    return CanonicalResult({**canonical.to_wire(), **settings}, [], canonical)


def canonical_or_plain(props: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical definition fields when they validate, else the plain values (old state)."""
    result = canonical_inputs(props)
    if result.definition is not None and not result.problems:
        return {key: result.inputs[key] for key in DEFINITION_FIELDS if key in result.inputs}
    return definition_fields(props)


def strip_owner(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (metadata or {}).items() if k != OWNER_METADATA_KEY}


def owner_marker(metadata: Mapping[str, Any] | None) -> str | None:
    value = (metadata or {}).get(OWNER_METADATA_KEY)
    return value if isinstance(value, str) else None
