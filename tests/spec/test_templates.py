"""spec.templates against docs/api.md 5.4, and each choice where it is silent."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_thena.spec.templates import (
    MISSING,
    build_context,
    lookup,
    place,
    resolve_templates,
    template_refs,
)

EVENT = {
    "name": "ticket:created",
    "message": {
        "actor": {"name": "Ada"},
        "payload": {
            "ticketId": "T-1",
            "count": 3,
            "ratio": 2.5,
            "whole": 4.0,
            "urgent": True,
            "closedAt": None,
            "tags": ["vip", "beta"],
            "ticket": {"title": "Down", "account": {"name": "Acme"}},
        },
    },
    "messageAttributes": {"source": "web"},
}
P = "context.event.message.payload"


@pytest.fixture
def context() -> dict[str, Any]:
    return build_context(EVENT, steps={"1": {"input": {}, "result": {"ticketUrl": "https://t/1"}}})


def test_the_documented_example_resolves(context: dict[str, Any]) -> None:
    resolved = resolve_templates(
        {"ticketId": "{{context.event.message.payload.ticketId}}"}, context
    )
    assert resolved.value == {"ticketId": "T-1"}
    assert resolved.unresolved == ()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("count", 3),
        ("ratio", 2.5),
        ("urgent", True),
        ("closedAt", None),
        ("tags", ["vip", "beta"]),
        ("ticket.account", {"name": "Acme"}),
    ],
)
def test_a_string_that_is_one_template_takes_the_value_with_its_type(
    context: dict[str, Any], path: str, expected: Any
) -> None:
    assert resolve_templates(f"{{{{{P}.{path}}}}}", context).value == expected


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("ticketId", "T-1"),
        ("count", "3"),
        ("ratio", "2.5"),
        ("whole", "4"),
        ("urgent", "true"),
        ("closedAt", "null"),
        ("tags", '["vip","beta"]'),
        ("ticket.account", '{"name":"Acme"}'),
    ],
)
def test_inside_a_longer_string_values_render_as_text_and_compact_json(
    context: dict[str, Any], path: str, text: str
) -> None:
    assert resolve_templates(f"<{{{{{P}.{path}}}}}>", context).value == f"<{text}>"


def test_an_unresolved_path_stays_as_written_and_is_listed_once(context: dict[str, Any]) -> None:
    value = {
        "whole": "{{context.event.message.payload.ticket.titel}}",
        "inside": "Re: {{ context.event.message.payload.ticket.titel }} ({{context.nope}})",
        "again": ["{{context.nope}}"],
    }
    resolved = resolve_templates(value, context)
    assert resolved.value == value
    assert resolved.unresolved == (f"{P}.ticket.titel", "context.nope")


def test_a_path_must_start_at_context(context: dict[str, Any]) -> None:
    assert resolve_templates("{{event.name}}", context).unresolved == ("event.name",)
    assert lookup(context, "context") is context


def test_spaces_inside_the_braces_are_allowed(context: dict[str, Any]) -> None:
    assert resolve_templates("{{  context.event.name  }}", context).value == "ticket:created"


def test_any_depth_of_dicts_and_lists_and_keys_are_not_templates(context: dict[str, Any]) -> None:
    value = {"{{context.event.name}}": [{"deep": ["{{context.event.message.actor.name}}", 7]}]}
    assert resolve_templates(value, context).value == {
        "{{context.event.name}}": [{"deep": ["Ada", 7]}]
    }


def test_earlier_results_are_read_under_context_steps(context: dict[str, Any]) -> None:
    text = "Ticket: {{context.steps.1.result.ticketUrl}}"
    assert resolve_templates(text, context).value == "Ticket: https://t/1"
    assert resolve_templates("{{context.steps.2.result.x}}", context).unresolved == (
        "context.steps.2.result.x",
    )


def test_lists_index_with_a_number_or_brackets(context: dict[str, Any]) -> None:
    assert lookup(context, f"{P}.tags.1") == "beta"
    assert lookup(context, f"{P}.tags[0]") == "vip"
    assert lookup(context, f"{P}.tags.2") is MISSING
    assert lookup(context, f"{P}.tags.first") is MISSING


def test_null_is_present_and_missing_is_not(context: dict[str, Any]) -> None:
    assert lookup(context, f"{P}.closedAt") is None
    assert lookup(context, f"{P}.openedAt") is MISSING
    assert lookup(context, f"{P}.closedAt.at") is MISSING


def test_entities_are_placed_at_their_path_to_annotate() -> None:
    entity = {"title": "Loaded", "account": {"tier": "enterprise"}}
    context = build_context(EVENT, entities={f"{P}.ticket": entity, "context.extra.deep": 1})
    assert lookup(context, f"{P}.ticket.account.tier") == "enterprise"
    assert lookup(context, f"{P}.ticketId") == "T-1"  # the rest of the event stays
    assert lookup(context, "context.extra.deep") == 1
    with pytest.raises(ValueError, match=r"start it with 'context\.'"):
        place(context, "event.message", 1)


def test_the_context_never_aliases_what_it_was_built_from() -> None:
    event = json.loads(json.dumps(EVENT))
    context = build_context(event)
    context["event"]["message"]["payload"]["ticket"]["title"] = "changed"
    resolved = resolve_templates(f"{{{{{P}.tags}}}}", context)
    resolved.value.append("x")
    assert event == EVENT
    assert lookup(context, f"{P}.tags") == ["vip", "beta"]


def test_template_refs_names_each_template_with_its_field_path() -> None:
    value = {"a": "{{context.x}} and {{ context.y }}", "b": [{"c": "{{context.z}}"}], "d": 1}
    assert list(template_refs(value, "input")) == [
        ("input.a", "context.x"),
        ("input.a", "context.y"),
        ("input.b[0].c", "context.z"),
    ]


text_without_braces = st.text().filter(lambda s: "{{" not in s)


@given(st.recursive(st.one_of(text_without_braces, st.integers(), st.none()), st.lists))
def test_a_value_without_templates_is_unchanged(value: Any) -> None:
    assert resolve_templates(value, build_context(EVENT)) == resolve_templates(value, {})
    assert resolve_templates(value, {}).value == value
