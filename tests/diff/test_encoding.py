"""Structured fields as JSON text in state: exact round trips, and what must never become text."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings

from pulumi_thena.diff import canonical_inputs
from pulumi_thena.diff.encoding import ENCODED_FIELDS, decoded, encode_value, encoded
from pulumi_thena.diff.keys import SECRET_SIG_KEY, UNKNOWN
from pulumi_thena.models import DEFINITION_FIELDS
from tests.strategies import definitions, through_rpc

SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def test_the_encoded_fields_are_the_structured_definition_fields() -> None:
    assert set(ENCODED_FIELDS) <= set(DEFINITION_FIELDS)
    assert "name" not in ENCODED_FIELDS and "isActive" not in ENCODED_FIELDS


@given(definitions())
@settings(max_examples=150, deadline=None)
def test_canonical_inputs_survive_text_and_the_engine_unchanged(definition: dict[str, Any]) -> None:
    inputs = canonical_inputs(definition).inputs
    state = through_rpc(encoded(inputs))  # what the engine keeps and hands back
    for key in ENCODED_FIELDS:
        assert key not in inputs or isinstance(state[key], str)
    assert decoded(state) == inputs
    assert encoded(decoded(state)) == state  # the same text again: no perpetual diff


def test_the_same_value_is_the_same_text_whatever_the_key_order() -> None:
    one = {"ticket.status": {"~neq": "closed"}, "ticket.priority": {"~in": ["low", "high"]}}
    other = dict(reversed(list(one.items())))
    assert encode_value(one) == encode_value(other)
    assert json.loads(encode_value(one)) == one
    assert encode_value({"text": "naïve ✓"}) == '{"text":"naïve ✓"}'


def test_unknowns_secrets_and_objects_json_cannot_say_stay_structured() -> None:
    secret = {SECRET_SIG_KEY: SECRET_SIG, "value": "s3cr3t"}
    props = {
        "name": "Triage",
        "workflowDefinition": [{"stepIdentifier": 1, "input": {"token": secret}}],
        "filters": {"ticket.id": {"~eq": UNKNOWN}},
        "metadata": {"team": object()},
        "annotations": [],
    }
    out = encoded(props)
    assert out["workflowDefinition"] == props["workflowDefinition"]
    assert out["filters"] == props["filters"]
    assert out["metadata"] is props["metadata"]
    assert out["annotations"] == "[]"
    assert out["name"] == "Triage"


def test_decoding_passes_older_state_unknowns_and_mistakes_through() -> None:
    props = {
        "workflowDefinition": [{"stepIdentifier": 1}],  # written by 0.2.0
        "filters": UNKNOWN,
        "metadata": "{not json",
        "annotations": "plain words",
        "name": '["a name that looks like JSON"]',
    }
    assert decoded(props) == props


def test_a_secret_envelope_keeps_its_marker_around_the_decoded_value() -> None:
    steps = [{"stepIdentifier": 1}]
    props = {"workflowDefinition": {SECRET_SIG_KEY: SECRET_SIG, "value": encode_value(steps)}}
    assert decoded(props) == {"workflowDefinition": {SECRET_SIG_KEY: SECRET_SIG, "value": steps}}
