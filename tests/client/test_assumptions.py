"""The assumption table: paths, envelope unwrapping, reset-header reading."""

from __future__ import annotations

import pytest

from pulumi_thena.client import ApiPaths, UnexpectedResponseError
from pulumi_thena.client.assumptions import (
    expand_path,
    rate_limit_reset_delay,
    unwrap_list,
    unwrap_object,
)


def test_default_paths_follow_the_spec() -> None:
    paths = ApiPaths()
    assert paths.filter_operators == "/api/v1/workflows/filter-operators"
    assert paths.workflows == "/api/v1/workflows"
    assert paths.workflow == "/api/v1/workflows/{unique_identifier}"
    assert paths.toggle == "/api/v1/workflows/{unique_identifier}/toggle"
    assert paths.executions == "/api/v1/workflows/executions"
    assert paths.tasks == "/api/v1/workflows/{execution_id}/tasks"
    assert paths.activities == "/api/v1/workflows/registry/activities"
    assert paths.events == "/api/v1/workflows/registry/events"


def test_a_path_can_be_overridden() -> None:
    paths = ApiPaths(toggle="/api/v1/workflows/{unique_identifier}/activate")
    assert paths.toggle.endswith("/activate")
    assert paths.workflow == ApiPaths().workflow


@pytest.mark.parametrize(
    ("field", "template"),
    [
        ("toggle", "/api/v1/workflows/{id}/toggle"),
        ("workflow", "/api/v1/workflows"),
        ("events", "/api/v1/{unique_identifier}/events"),
        ("tasks", "api/v1/workflows/{execution_id}/tasks"),
    ],
)
def test_a_malformed_override_is_rejected_at_once(field: str, template: str) -> None:
    with pytest.raises(ValueError, match=f"ApiPaths.{field}"):
        ApiPaths(**{field: template})


def test_expand_path_encodes_each_value_as_one_segment() -> None:
    path = expand_path(ApiPaths().workflow, unique_identifier="a/b c?d#e")
    assert path == "/api/v1/workflows/a%2Fb%20c%3Fd%23e"


@pytest.mark.parametrize("identifier", ["", ".", ".."])
def test_expand_path_refuses_identifiers_that_address_something_else(identifier: str) -> None:
    # "" would address the collection, "." and ".." the collection or its parent.
    with pytest.raises(ValueError, match="unique_identifier"):
        expand_path(ApiPaths().workflow, unique_identifier=identifier)


ITEM = {"uniqueIdentifier": "wf-1"}


@pytest.mark.parametrize(
    "payload",
    [[ITEM], {"data": [ITEM]}, {"items": [ITEM]}, {"results": [ITEM]}, ITEM],
    ids=["bare", "data", "items", "results", "single-object"],
)
def test_unwrap_list_accepts_every_envelope(payload: object) -> None:
    assert unwrap_list(payload, "GET", "/x") == [ITEM]


def test_unwrap_list_keeps_an_empty_list() -> None:
    assert unwrap_list({"data": []}, "GET", "/x") == []


@pytest.mark.parametrize("payload", ["ok", 3, None, True, {"data": "nope"}, {"items": {"a": 1}}])
def test_unwrap_list_rejects_other_shapes_naming_the_endpoint(payload: object) -> None:
    with pytest.raises(UnexpectedResponseError, match=r"GET /api/v1/workflows/registry/events"):
        unwrap_list(payload, "GET", "/api/v1/workflows/registry/events")


def test_unwrap_object_accepts_bare_and_platform_envelope() -> None:
    assert unwrap_object(ITEM, "GET", "/x") == ITEM
    assert unwrap_object({"status": True, "message": "ok", "data": ITEM}, "GET", "/x") == ITEM


def test_unwrap_object_leaves_objects_that_merely_have_a_data_field() -> None:
    body = {"uniqueIdentifier": "wf-1", "data": {"a": 1}}
    assert unwrap_object(body, "GET", "/x") == body


@pytest.mark.parametrize("payload", [[ITEM], "x", None, 1])
def test_unwrap_object_rejects_non_objects(payload: object) -> None:
    with pytest.raises(UnexpectedResponseError, match=r"PATCH /w: .*expected a JSON object"):
        unwrap_object(payload, "PATCH", "/w")


def test_reset_header_is_unix_seconds_or_a_small_delay() -> None:
    now = 1_700_000_000.0
    assert rate_limit_reset_delay(now + 7, now) == 7
    assert rate_limit_reset_delay(now - 5, now) == 0
    assert rate_limit_reset_delay(3, now) == 3
