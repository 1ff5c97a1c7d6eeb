"""The top-level fields of a workflow definition by wire name: plain constants, no pydantic.

The provider's no-op path compares these fields and nothing else, so they live apart from the
models, which take a noticeable part of a second to import. ``definition.py`` checks at import
that they match the model's fields.
"""

from __future__ import annotations

DEFINITION_FIELDS: tuple[str, ...] = (
    "name",
    "type",
    "subType",
    "triggerEvent",
    "filters",
    "annotations",
    "workflowDefinition",
    "executingAgent",
    "teamId",
    "metadata",
    "isActive",
)
"""The top-level definition fields by their wire names, in declaration order."""

IMMUTABLE_FIELDS: frozenset[str] = frozenset({"type", "subType"})
"""Fields the update endpoint does not accept: changing them means replacing the workflow."""
