"""How a workflow is held in Pulumi state: its definition as one JSON text, ``definition``.

A workflow of 25 steps is about 8 KiB and 380 values when its fields are objects, lists and
scalars of their own. The engine copies, filters and checks every value of every resource on each
operation, and the SDK tracks each top-level property of each resource as an ``Output`` it waits
for one by one: at 500 workflows that was most of a no-op preview's 29 s (benchmarks/RESULTS.md).
So the definition (every field but ``isActive``) is one string, compact with sorted keys, beside
``isActive``, the settings and the two outputs programs read. Pulumi's display decodes JSON text on
both sides of a change and lists the definition with each changed field marked (``(json)`` in
``pulumi preview --diff``).

The rule has this one home: ``encoded`` where the program declares a workflow and where the
provider answers the engine, ``decoded`` where anything reads properties the engine hands over
(the provider's entry points, the policy pack). ``decoded`` also reads the separate fields that
0.2.0 and earlier wrote to state, so a stack moves to the text with no change and no API call.

Standard library only: the provider's no-op path imports this.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi_thena.diff.keys import SECRET_SIG_KEY, UNKNOWN, is_unknown
from pulumi_thena.models.fields import DEFINITION_FIELDS

DEFINITION = "definition"
"""The property holding the definition as JSON text."""

ENCODED_FIELDS: tuple[str, ...] = tuple(f for f in DEFINITION_FIELDS if f != "isActive")
"""The definition fields held in ``definition``: all but ``isActive``, a property of its own
(one toggle call, and what the ``workflows`` export shows)."""


def encode_value(value: Any) -> str:
    """One value as the JSON text state holds: compact, keys sorted, so that the same value is
    always the same text and an unchanged workflow compares equal as a string."""
    return json.dumps(
        value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=False
    )


def encoded(props: Mapping[str, Any]) -> dict[str, Any]:
    """``props`` with the definition fields as one JSON text in ``definition``.

    Left as separate fields when one holds what JSON cannot say (an ``Output``, an unknown), a
    value not known yet (preview) or a secret envelope: text would hide the unknown from the
    engine and drop the secret's marker. (The engine marks a whole output secret when its input
    held a secret anywhere, so a definition encoded after the provider unwrapped a secret stays
    secret in state.) Props already encoded are returned as they are.
    """
    fields = {key: props[key] for key in ENCODED_FIELDS if props.get(key) is not None}
    if not fields:
        return dict(props)
    try:
        text = encode_value(fields)
    except (TypeError, ValueError):  # not JSON data: an Output, an Unknown, a NaN
        return dict(props)
    if UNKNOWN in text or SECRET_SIG_KEY in text:
        return dict(props)
    out = {key: value for key, value in props.items() if key not in ENCODED_FIELDS}
    out[DEFINITION] = text
    return out


def decoded(props: Mapping[str, Any]) -> dict[str, Any]:
    """``props`` with ``definition`` decoded into its fields; everything else as it is.

    Separate fields (state written by 0.2.0 and earlier), an unknown ``definition`` and text that
    is not a JSON object (a mistake in a program, reported by validation) pass through. A secret
    ``definition`` gives each of its fields the secret's marker.
    """
    value = props.get(DEFINITION)
    secret: dict[str, Any] | None = None
    if isinstance(value, dict) and value.get(SECRET_SIG_KEY) is not None:
        secret, value = value, value.get("value")
    if not isinstance(value, str):
        return dict(props)
    fields = _decode(value)
    if not isinstance(fields, dict):
        return dict(props)
    out = {key: item for key, item in props.items() if key != DEFINITION}
    for key, item in fields.items():
        out[key] = item if secret is None else {**secret, "value": item}
    return out


def unknown_definition(props: Mapping[str, Any]) -> bool:
    """Whether ``definition`` is a value not known yet (a preview of a program whose definition
    holds another resource's output), in either of the forms the SDK's host hands it over."""
    return is_unknown(props.get(DEFINITION))


def _decode(text: str) -> Any:
    if not text.startswith("{"):  # the unknown marker too
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
