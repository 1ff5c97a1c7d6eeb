"""Canonical inputs: one normal form for what the user wrote, what state holds and what the API has.

Everything that compares definitions goes through here, so that ``1.0`` and ``1``, a default
left out and the same default written out, and steps listed in another order all compare equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from pulumi_thena.diff.keys import (
    SECRET_SIG_KEY,
    SETTINGS,
    UNKNOWN,
    is_unknown,
)
from pulumi_thena.models import (
    DEFINITION_FIELDS,
    Problem,
    WorkflowDefinition,
    definition_problems,
    partial_problems,
    problems_from_validation_error,
    whole_to_int,
)


@dataclass(frozen=True)
class CanonicalResult:
    """The outcome of canonicalizing one resource's inputs."""

    inputs: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    definition: WorkflowDefinition | None = None
    has_unknowns: bool = False


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
        if value.get(SECRET_SIG_KEY) is not None and "value" in value:
            return plain(value["value"])
        return {key: plain(item) for key, item in value.items()}
    return whole_to_int(value)


def definition_fields(props: Mapping[str, Any]) -> dict[str, Any]:
    """The definition part of a property bag, without settings, outputs or ``__provider``."""
    return {key: plain(props[key]) for key in DEFINITION_FIELDS if props.get(key) is not None}


def _known_fields(props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The definition fields ready to validate, or None when a value is not known yet.

    Validation itself turns whole floats into ints, so the values need walking only for a
    secret envelope or an unknown. One ``repr`` (which runs in C) tells whether either may be
    there, at a fraction of the cost of walking the values in Python; the walks confirm it.
    """
    fields = {key: props[key] for key in DEFINITION_FIELDS if props.get(key) is not None}
    text = repr(fields)
    if (UNKNOWN in text or "Unknown" in text) and contains_unknown(fields):
        return None
    return unwrapped(fields, text)


def unwrapped(values: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    """``values`` with secret envelopes unwrapped, walked only if ``repr`` shows an envelope."""
    if SECRET_SIG_KEY in (repr(values) if text is None else text):
        return {key: plain(value) for key, value in values.items()}
    return values


def canonical_inputs(props: Mapping[str, Any]) -> CanonicalResult:
    """Validate a property bag and return it in canonical form, or the problems found.

    Inputs holding unknown values (preview, outputs of other resources) are passed through as
    they are: nothing can be validated or sent until they are known.
    """
    settings = {key: plain(props[key]) for key in SETTINGS if key in props}
    fields = _known_fields(props)
    if fields is None:
        return CanonicalResult({**dict(props), **settings}, has_unknowns=True)
    try:
        definition = WorkflowDefinition.model_validate(fields)
    except ValidationError as error:
        problems = problems_from_validation_error(error, WorkflowDefinition)
        reported = {problem.path for problem in problems}
        problems += [p for p in partial_problems(fields) if p.path not in reported]
        return CanonicalResult(dict(props), problems)
    problems = definition_problems(definition)
    if problems:
        return CanonicalResult(dict(props), problems, definition)
    canonical = definition.canonical()
    return CanonicalResult({**canonical.to_wire(), **settings}, [], canonical)


def declared_inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    """What a program declares, with the definition in canonical form when it is known and valid.

    The provider's ``check`` then finds a workflow that did not change equal to the inputs it
    returned last time, and answers without validating it again. A definition holding values
    not known yet (outputs of other resources) or mistakes is passed on as it is: ``check``
    resolves the first and reports the second with its field path.
    """
    fields = {key: props[key] for key in DEFINITION_FIELDS if props.get(key) is not None}
    try:
        definition = WorkflowDefinition.model_validate(fields)
        if definition_problems(definition):
            return dict(props)
        wire = definition.canonical().to_wire()
    except (ValidationError, PydanticSerializationError):  # an Output, or a mistake
        return dict(props)
    return {**props, **wire}


def canonical_or_plain(props: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical definition fields when they validate, else the plain values (old state).

    For comparing only: the definition rules are not checked, as a comparison needs the
    canonical order and defaults, not a verdict.
    """
    fields = _known_fields(props)
    if fields is not None:
        try:
            return WorkflowDefinition.model_validate(fields).canonical().to_wire()
        except ValidationError:
            pass
    return definition_fields(props)
