"""Canonical form of workflow inputs, the converters to and from the API, and comparison."""

from pulumi_thena.diff.canonical import (
    ADOPT_EXISTING,
    OUTPUT_FIELDS,
    OWNER,
    OWNER_METADATA_KEY,
    PROVIDER_KEY,
    UNKNOWN,
    CanonicalResult,
    canonical_inputs,
    canonical_or_plain,
    contains_unknown,
    definition_fields,
    owner_marker,
    plain,
    strip_owner,
)
from pulumi_thena.diff.compare import changed_fields, field_changes, replacement_fields
from pulumi_thena.diff.convert import create_body, live_to_inputs, prune, to_api_body

__all__ = [
    "ADOPT_EXISTING",
    "OUTPUT_FIELDS",
    "OWNER",
    "OWNER_METADATA_KEY",
    "PROVIDER_KEY",
    "UNKNOWN",
    "CanonicalResult",
    "canonical_inputs",
    "canonical_or_plain",
    "changed_fields",
    "contains_unknown",
    "create_body",
    "definition_fields",
    "field_changes",
    "live_to_inputs",
    "owner_marker",
    "plain",
    "prune",
    "replacement_fields",
    "strip_owner",
    "to_api_body",
]
