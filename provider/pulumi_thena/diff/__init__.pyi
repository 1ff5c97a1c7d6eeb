"""Canonical form of workflow inputs, the converters to and from the API, and comparison."""

from .canonical import (
    CanonicalResult,
    canonical_inputs,
    canonical_or_plain,
    contains_unknown,
    declared_inputs,
    definition_fields,
    plain,
)
from .compare import changed_fields, replacement_fields
from .convert import create_body, live_to_inputs, prune, to_api_body
from .keys import (
    ADOPT_EXISTING,
    INPUT_FIELDS,
    OUTPUT_FIELDS,
    OWNER,
    OWNER_METADATA_KEY,
    PROVIDER_KEY,
    SETTINGS,
    UNKNOWN,
    owner_marker,
    raw_changes,
    strip_owner,
)
from .paths import field_changes

__all__ = [
    "ADOPT_EXISTING",
    "INPUT_FIELDS",
    "OUTPUT_FIELDS",
    "OWNER",
    "OWNER_METADATA_KEY",
    "PROVIDER_KEY",
    "SETTINGS",
    "UNKNOWN",
    "CanonicalResult",
    "canonical_inputs",
    "canonical_or_plain",
    "changed_fields",
    "contains_unknown",
    "create_body",
    "declared_inputs",
    "definition_fields",
    "field_changes",
    "live_to_inputs",
    "owner_marker",
    "plain",
    "prune",
    "raw_changes",
    "replacement_fields",
    "strip_owner",
    "to_api_body",
]
