"""Property names, Pulumi's wire markers and the raw comparison: no pydantic.

This is all the provider needs for an unchanged workflow, the common case of every engine
operation, so it imports nothing heavier than the standard library.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_thena.models.fields import DEFINITION_FIELDS

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""Pulumi's marker for a value not known during preview (``pulumi.runtime.rpc.UNKNOWN``)."""

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
"""The key of Pulumi's RPC secret envelope (``{SECRET_SIG_KEY: ..., "value": ...}``)."""

OWNER = "owner"
ADOPT_EXISTING = "adoptExisting"
GUARDRAIL_EXEMPTIONS = "guardrailExemptions"
"""The file's exemptions from the stack's guardrails: in state for review, never in the API."""
PROVIDER_KEY = "__provider"
SETTINGS: tuple[str, ...] = (OWNER, ADOPT_EXISTING, GUARDRAIL_EXEMPTIONS)
"""Inputs that steer the provider (or record a decision) and are never sent to the API."""

INPUT_FIELDS: tuple[str, ...] = DEFINITION_FIELDS + SETTINGS
"""Every input ``check`` returns: the definition fields and the settings."""

OUTPUT_FIELDS: tuple[str, ...] = ("uniqueIdentifier", "uid", "version", "createdAt", "updatedAt")
"""Outputs that only the API can fill."""

DECLARED_OUTPUTS: tuple[str, ...] = ("uniqueIdentifier", "version")
"""The outputs ``Workflow`` declares as attributes (each is an ``Output`` the SDK tracks); the
others are in state all the same."""


def is_unknown(value: Any) -> bool:
    """Whether ``value`` is not known yet (preview), in either form the SDK hands it over: the
    marker string, or the SDK's ``Unknown`` object."""
    return (isinstance(value, str) and value == UNKNOWN) or type(value).__name__ == "Unknown"


def raw_changes(old: Mapping[str, Any], new: Mapping[str, Any], keys: Iterable[str]) -> list[str]:
    """The ``keys`` whose values differ as they are (a missing key and ``None`` are alike).

    Dict and list equality runs in C and ``1 == 1.0``, so this costs microseconds. Values that
    are equal here are equal in canonical form too; values that differ may still be equal in
    canonical form (steps in another order, a default written out), which is for the caller
    to decide when it matters.
    """
    return [key for key in keys if old.get(key) != new.get(key)]
