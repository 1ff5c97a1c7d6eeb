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
from .convert import create_body, live_to_inputs, prune, shown_fields, to_api_body
from .keys import (
    ADOPT_EXISTING,
    INPUT_FIELDS,
    OUTPUT_FIELDS,
    OWNER,
    PROVIDER_KEY,
    SETTINGS,
    UNKNOWN,
    raw_changes,
)
from .ownership import (
    OWNER_METADATA_KEY,
    Match,
    MatchKind,
    Wanted,
    foreign_owner,
    match,
    owner_marker,
    owner_of,
    resource_of,
    stack_prefix,
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
    "Match",
    "MatchKind",
    "Wanted",
    "canonical_inputs",
    "canonical_or_plain",
    "changed_fields",
    "contains_unknown",
    "create_body",
    "declared_inputs",
    "definition_fields",
    "field_changes",
    "foreign_owner",
    "live_to_inputs",
    "match",
    "owner_marker",
    "owner_of",
    "plain",
    "prune",
    "raw_changes",
    "replacement_fields",
    "resource_of",
    "shown_fields",
    "stack_prefix",
    "strip_owner",
    "to_api_body",
]
