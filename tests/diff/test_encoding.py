"""The definition as one JSON text in state: exact round trips, and what must never become text."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings

from pulumi_thena.diff import canonical_inputs
from pulumi_thena.diff.encoding import (
    DEFINITION,
    ENCODED_FIELDS,
    decoded,
    encode_value,
    encoded,
    unknown_definition,
)
from pulumi_thena.diff.keys import SECRET_SIG_KEY, UNKNOWN
from pulumi_thena.models import DEFINITION_FIELDS
from tests.strategies import definitions, through_rpc

SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def test_every_definition_field_but_activation_is_in_the_text() -> None:
    assert set(ENCODED_FIELDS) == set(DEFINITION_FIELDS) - {"isActive"}


@given(definitions())
@settings(max_examples=150, deadline=None)
def test_canonical_inputs_survive_text_and_the_engine_unchanged(definition: dict[str, Any]) -> None:
    inputs = {**canonical_inputs(definition).inputs, "owner": "p/s/wf"}
    state = through_rpc(encoded(inputs))  # what the engine keeps and hands back
    assert set(state) == {DEFINITION, "isActive", "owner"}
    assert isinstance(state[DEFINITION], str)
    assert decoded(state) == inputs
    assert encoded(decoded(state)) == state  # the same text again: no perpetual diff


def test_the_same_definition_is_the_same_text_whatever_the_key_order() -> None:
    one = {"filters": {"ticket.status": {"~neq": "closed"}}, "name": "Triage"}
    other = dict(reversed(list(one.items())))
    assert encoded(one) == encoded(other) == {DEFINITION: encode_value(one)}
    assert json.loads(encode_value(one)) == one
    assert encode_value({"text": "naïve ✓"}) == '{"text":"naïve ✓"}'


def test_unknowns_secrets_and_objects_json_cannot_say_stay_separate() -> None:
    secret = {SECRET_SIG_KEY: SECRET_SIG, "value": "s3cr3t"}
    base = {"name": "Triage", "isActive": True}
    for odd in (
        {"workflowDefinition": [{"stepIdentifier": 1, "input": {"token": secret}}]},
        {"filters": {"ticket.id": {"~eq": UNKNOWN}}},
        {"metadata": {"team": object()}},
        {"teamId": UNKNOWN},
    ):
        props = {**base, **odd}
        assert encoded(props) == props
    assert encoded({"isActive": True, "owner": "o"}) == {"isActive": True, "owner": "o"}


def test_decoding_passes_older_state_unknowns_and_mistakes_through() -> None:
    older = {"name": "Triage", "workflowDefinition": [{"stepIdentifier": 1}], "isActive": True}
    assert decoded(older) == older  # written by 0.2.0
    for odd in (UNKNOWN, "{not json", "plain words", '["a list"]'):
        assert decoded({DEFINITION: odd, "isActive": True}) == {DEFINITION: odd, "isActive": True}


def test_a_secret_definition_marks_each_of_its_fields() -> None:
    text = encode_value({"name": "Triage", "workflowDefinition": [{"stepIdentifier": 1}]})
    props = {DEFINITION: {SECRET_SIG_KEY: SECRET_SIG, "value": text}, "isActive": True}
    assert decoded(props) == {
        "name": {SECRET_SIG_KEY: SECRET_SIG, "value": "Triage"},
        "workflowDefinition": {SECRET_SIG_KEY: SECRET_SIG, "value": [{"stepIdentifier": 1}]},
        "isActive": True,
    }


def test_an_unknown_definition_is_seen_in_both_forms_the_host_gives() -> None:
    class Unknown:  # the SDK's type of an unknown value, by name
        pass

    assert unknown_definition({DEFINITION: UNKNOWN})
    assert unknown_definition({DEFINITION: Unknown()})
    assert not unknown_definition({DEFINITION: encode_value({"name": "x"})})
    assert not unknown_definition({"name": "x"})
