"""How a workflow's structured fields are held in Pulumi state: as JSON text.

A workflow of 25 steps is about 8 KiB and 380 values when its steps, filters, annotations and
metadata are objects and lists. The engine copies, filters and checks every value of every
resource on each operation, and the SDK tracks them one by one: at 500 workflows that was most of
a no-op preview's 29 s (benchmarks/RESULTS.md). Held as one string each, the same fields cost the
engine about what one short property does. Pulumi's display decodes JSON text on both sides of a
change and shows the difference field by field (``(json)`` in ``pulumi preview --diff``), so a
preview reads as before.

The rule has this one home: ``encoded`` where the program declares a workflow and where the
provider answers the engine, ``decoded`` where anything reads properties the engine hands over
(the provider's entry points, the policy pack). ``decoded`` also takes the objects and lists that
versions before 0.3.0 wrote to state, so a stack moves to text with no change and no API call.

Standard library only: the provider's no-op path imports this.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi_thena.diff.keys import SECRET_SIG_KEY, UNKNOWN

ENCODED_FIELDS: tuple[str, ...] = ("filters", "annotations", "workflowDefinition", "metadata")
"""The definition fields that are objects or lists: JSON text in state, inputs and outputs."""


def encode_value(value: Any) -> str:
    """One structured value as the JSON text state holds: compact, keys sorted, so that the same
    value is always the same text and an unchanged workflow compares equal as a string."""
    return json.dumps(
        value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=False
    )


def encoded(props: Mapping[str, Any]) -> dict[str, Any]:
    """``props`` with each structured field as JSON text; everything else as it is.

    A field already text is left alone, and so is one holding what JSON cannot say (an
    ``Output``, an unknown), a value not known yet (preview) or a secret envelope: text would hide
    the unknown from the engine and drop the secret's marker. The engine marks a whole output
    secret when its input held a secret anywhere, so a field encoded after the provider
    unwrapped a secret stays secret in state.
    """
    out = dict(props)
    for key in ENCODED_FIELDS:
        value = out.get(key)
        if not isinstance(value, dict | list):
            continue
        try:
            text = encode_value(value)
        except (TypeError, ValueError):  # not JSON data: an Output, an Unknown, a NaN
            continue
        if UNKNOWN not in text and SECRET_SIG_KEY not in text:
            out[key] = text
    return out


def decoded(props: Mapping[str, Any]) -> dict[str, Any]:
    """``props`` with each structured field held as JSON text decoded; everything else as it is.

    Objects and lists (state written before 0.3.0), unknowns and text that is not JSON (a
    mistake in a program, reported by validation with its field path) pass through unchanged.
    A secret envelope keeps its marker around the decoded value.
    """
    out = dict(props)
    for key in ENCODED_FIELDS:
        value = out.get(key)
        if isinstance(value, str):
            out[key] = _decode(value)
        elif isinstance(value, dict) and _is_secret_text(value):
            out[key] = {**value, "value": _decode(value["value"])}
    return out


def _is_secret_text(value: dict[str, Any]) -> bool:
    return value.get(SECRET_SIG_KEY) is not None and isinstance(value.get("value"), str)


def _decode(text: str) -> Any:
    if text == UNKNOWN or not text.startswith(("{", "[")):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text
