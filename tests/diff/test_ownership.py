"""The ownership rule (``diff.ownership.match``), held to its properties on generated orgs."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_thena.diff.ownership import (
    MatchKind,
    Wanted,
    match,
    owner_marker,
    owner_of,
    resource_of,
    stack_of,
    stack_prefix,
)

OWNER = owner_of("proj", "dev", "wf")
PREVIOUS = owner_of("proj", "dev", "wf-old")
OTHER = owner_of("proj", "staging", "wf")


@dataclass(frozen=True)
class Live:
    unique_identifier: str
    name: str | None
    team_id: str | None
    type: str | None
    sub_type: str | None
    metadata: dict[str, Any] | None = field(default=None, hash=False)


def live_workflows() -> st.SearchStrategy[list[Live]]:
    one = st.builds(
        Live,
        unique_identifier=st.just(""),
        name=st.sampled_from(["Triage", "Other"]),
        team_id=st.sampled_from(["t1", "t2", None]),
        type=st.sampled_from(["MANUAL", "WORKFLOW"]),
        sub_type=st.just("WORKFLOW"),
        metadata=st.sampled_from(
            [None, {}, *({"pulumi-thena:owner": m} for m in (OWNER, PREVIOUS, OTHER))]
        ),
    )
    return st.lists(one, max_size=6).map(
        lambda items: [
            Live(f"W{i}", w.name, w.team_id, w.type, w.sub_type, w.metadata)
            for i, w in enumerate(items)
        ]
    )


wanted_values = st.builds(
    Wanted,
    owner=st.just(OWNER),
    name=st.just("Triage"),
    team_id=st.sampled_from(["t1", None]),
    kind=st.sampled_from([("MANUAL", "WORKFLOW"), ("WORKFLOW", "WORKFLOW")]),
    previous_owners=st.sampled_from([(), (PREVIOUS,)]),
    adopt=st.booleans(),
)


@given(live_workflows(), wanted_values, st.sets(st.sampled_from([f"W{i}" for i in range(6)])))
@settings(max_examples=400, deadline=None)
def test_the_rule_holds_its_properties(live: list[Live], wanted: Wanted, claimed: set[str]) -> None:
    result = match(live, wanted, claimed)
    free = [wf for wf in live if wf.unique_identifier not in claimed]
    owners = {wanted.owner, *wanted.previous_owners}
    owned = [wf for wf in free if owner_marker(wf.metadata) in owners]
    assert not (result.accounts_for & claimed)
    if result.workflow is not None:
        assert result.workflow.unique_identifier not in claimed
    if len(owned) == 1:
        assert (result.kind, result.workflow) == (MatchKind.OWNED, owned[0])
    elif owned:
        assert result.kind is MatchKind.CONFLICT
        assert result.accounts_for == {wf.unique_identifier for wf in owned}
    elif result.kind is MatchKind.ADOPT:
        adopted = result.workflow
        assert wanted.adopt and adopted is not None
        assert owner_marker(adopted.metadata) is None
        assert (adopted.name, adopted.team_id) == (wanted.name, wanted.team_id)
        assert (adopted.type, adopted.sub_type) == wanted.kind
    elif not wanted.adopt:
        assert result.kind is MatchKind.CREATE
    if result.kind in (MatchKind.CREATE, MatchKind.ADOPT):
        assert not owned
    if result.kind is MatchKind.CONFLICT:
        assert result.reason


@given(live_workflows(), wanted_values)
@settings(max_examples=200, deadline=None)
def test_the_order_of_the_listing_does_not_matter(live: list[Live], wanted: Wanted) -> None:
    shuffled = list(live)
    random.Random(7).shuffle(shuffled)
    first, second = match(live, wanted), match(shuffled, wanted)
    assert (first.kind, first.workflow, first.reason) == (
        second.kind,
        second.workflow,
        second.reason,
    )


def test_marker_helpers_read_what_owner_of_writes() -> None:
    marker = owner_of("proj", "prod", "sla-breach")
    assert stack_prefix("proj", "prod") == "proj/prod/"
    assert resource_of(marker, "proj", "prod") == "sla-breach"
    assert resource_of(marker, "proj") == "sla-breach"
    assert resource_of(marker, "proj", "dev") is None
    assert resource_of(marker, "other") is None
    assert resource_of("proj/prod/a/b", "proj") is None
    assert stack_of(marker) == "prod"
    assert owner_marker({"pulumi-thena:owner": 3}) is None
