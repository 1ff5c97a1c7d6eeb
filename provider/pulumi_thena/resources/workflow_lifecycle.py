"""The Workflow resource's full lifecycle: check and diff in full, create, read, update, delete.

``workflow.WorkflowProvider`` answers an unchanged workflow itself and hands everything else to
the functions here, which need the models, the client and the canonical form (a fifth of a
second to import, paid only by an engine operation that has something to do).
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from pulumi_thena.client import (
    AmbiguousWriteError,
    NotFoundError,
    ThenaError,
    UnexpectedResponseError,
)
from pulumi_thena.client.safe_text import terminal_safe
from pulumi_thena.diff import (
    ADOPT_EXISTING,
    OWNER,
    MatchKind,
    Wanted,
    canonical_inputs,
    changed_fields,
    contains_unknown,
    create_body,
    definition_fields,
    foreign_owner,
    live_to_inputs,
    match,
    owner_marker,
    raw_changes,
    replacement_fields,
    shown_fields,
    to_api_body,
)
from pulumi_thena.diff.errors import UnreadableWorkflowError
from pulumi_thena.diff.keys import GUARDRAIL_EXEMPTIONS, OUTPUT_FIELDS, SETTINGS
from pulumi_thena.diff.ownership import kind_change_reason
from pulumi_thena.models import (
    DEFINITION_FIELDS,
    IMMUTABLE_FIELDS,
    WorkflowDefinition,
    registry_problems,
)
from pulumi_thena.models import (
    Workflow as LiveWorkflow,
)
from pulumi_thena.resources.errors import (
    ApiCallError,
    DefinitionError,
    OwnershipError,
    WorkflowError,
)
from pulumi_thena.resources.session import Session, current_session

P = ParamSpec("P")
R = TypeVar("R")

# A write whose outcome is unknown: no answer, or a success status with an unreadable body (the
# change most likely landed). Either way, read what is there before writing again.
UNKNOWN_OUTCOME = (AmbiguousWriteError, UnexpectedResponseError)


def _label(props: Mapping[str, Any]) -> str:
    # Pulumi prints provider messages raw: a name may hold escape sequences (see safe_text).
    return terminal_safe(f"workflow '{props.get('name', '?')}' (resource {props.get(OWNER, '?')})")


def _reporting(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn client errors into one-line WorkflowErrors naming the workflow and what to do."""

    def wrap(method: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(method)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            props = next((a for a in reversed(args) if isinstance(a, Mapping)), {})
            try:
                return method(*args, **kwargs)
            except WorkflowError as error:
                raise type(error)(terminal_safe(f"{action} {_label(props)}: {error}")) from None
            except (ThenaError, UnreadableWorkflowError) as error:
                raise ApiCallError(
                    terminal_safe(f"{action} {_label(props)} failed: {error}")
                    + ". Nothing else was changed; fix the cause and run `pulumi up` again "
                    "(a re-run is safe)."
                ) from error

        return run

    return wrap


def check(olds: Mapping[str, Any], props: Mapping[str, Any]) -> CheckResult:
    """Validate and canonicalize ``props`` (settings included, no outputs), then cross-check."""
    result = canonical_inputs(props)
    failures = [_failure(props, p.path, p.message) for p in result.problems]
    if failures or result.has_unknowns or result.definition is None:
        return CheckResult(result.inputs, failures)
    if olds and set(raw_changes(olds, result.inputs, DEFINITION_FIELDS)) <= {"isActive"}:
        # Validated when last applied; activation names nothing a registry could refuse.
        return CheckResult(result.inputs, [])
    return CheckResult(result.inputs, _registry_failures(result.definition, props))


def _registry_failures(
    definition: WorkflowDefinition, props: Mapping[str, Any]
) -> list[CheckFailure]:
    try:
        offered = current_session().registry(definition.team_id)
    except (ThenaError, WorkflowError) as error:
        return [CheckFailure("", f"{_label(props)}: cannot check the registries: {error}")]
    return [_failure(props, p.path, p.message) for p in registry_problems(definition, offered)]


def _failure(props: Mapping[str, Any], path: str, message: str) -> CheckFailure:
    """A check failure the engine can show: it looks the property up among the inputs by
    top-level key only (a nested path prints as ``value {<nil>} has a problem``), so the
    property is the top-level field and the reason carries the whole path."""
    top = re.split(r"[.\[]", path, maxsplit=1)[0]
    where = f"{path}: " if path else ""
    return CheckFailure(top, f"{_label(props)}: {where}{message}")


def diff(olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
    if contains_unknown(definition_fields(news)):
        known = {k: v for k, v in news.items() if not contains_unknown(v)}
        replaces = [f for f in IMMUTABLE_FIELDS if f in known and known[f] != olds.get(f)]
        return DiffResult(changes=True, replaces=replaces, delete_before_replace=True)
    changed = changed_fields(olds, news, new_is_canonical=True)  # news are check's output
    moved = olds.get(OWNER) != news.get(OWNER)  # renamed through an alias: re-stamp the marker
    exempted = _exemptions(olds) != _exemptions(news)  # recorded in state, never sent
    replaces = replacement_fields(changed)
    return DiffResult(
        changes=bool(changed) or moved or exempted,
        replaces=replaces,
        delete_before_replace=True if replaces else None,
    )


@_reporting("creating")
def create(props: dict[str, Any]) -> CreateResult:
    session = current_session()
    inputs = _canonical(props)
    owner = str(props[OWNER])
    existing = _find_existing(session, inputs, owner, bool(props.get(ADOPT_EXISTING)))
    if existing is not None:
        live = _converge(session, existing, inputs, owner)
    else:
        live = _post(session, inputs, owner)
    return CreateResult(live.unique_identifier, _outputs(inputs, live, props))


@_reporting("reading")
def read(id_: str, props: dict[str, Any]) -> ReadResult:
    live = current_session().find_live(id_)
    if live is None:
        return ReadResult(None, {})
    if not raw_changes(props, shown_fields(live, props), DEFINITION_FIELDS):
        return _no_drift(id_, live, props)  # the answer holds what state holds, as it is
    live_inputs = live_to_inputs(live, props)  # compared with the state's last values
    if not changed_fields(props, live_inputs, new_is_canonical=True):
        return _no_drift(id_, live, props)
    settings = {k: props[k] for k in SETTINGS if k in props}
    return ReadResult(id_, _outputs(live_inputs, live, props), {**live_inputs, **settings})


def _no_drift(id_: str, live: LiveWorkflow, props: Mapping[str, Any]) -> ReadResult:
    """The inputs in state are still right, in whatever form an older version of this provider
    wrote them (and need no second serialization)."""
    kept = {key: props[key] for key in DEFINITION_FIELDS if key in props}
    return ReadResult(id_, _outputs(kept, live, props))


@_reporting("updating")
def update(id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
    session = current_session()
    inputs = _canonical(news)
    owner = str(news[OWNER])
    fields = [f for f in changed_fields(olds, inputs, new_is_canonical=True) if f != "isActive"]
    if olds.get(OWNER) != owner:
        fields = sorted({*fields, "metadata"})  # renamed through an alias: move the marker
    if not fields and olds.get("isActive") == bool(inputs.get("isActive", True)):
        # Only what the API never sees changed (guardrailExemptions): state records it.
        return UpdateResult(_settings_only(olds, inputs, news))
    live = _patch_and_toggle(session, id_, inputs, owner, fields)
    return UpdateResult(_outputs(inputs, live, news))


@_reporting("deleting")
def delete(id_: str, props: dict[str, Any]) -> None:
    session = current_session()
    live = session.find_live(id_)
    if live is None:
        return
    other = foreign_owner(live, props.get(OWNER))
    if other is not None:
        raise OwnershipError(
            f"the live workflow {id_} is marked as owned by '{other}', not by this resource; "
            "it was not deleted. Remove it from this stack with `pulumi state delete` "
            "if the other owner keeps it"
        )
    with contextlib.suppress(NotFoundError):  # already gone counts as done
        session.client().delete_workflow(id_)
    session.forget(id_)


def _canonical(props: Mapping[str, Any]) -> dict[str, Any]:
    result = canonical_inputs(props)
    if result.problems:
        raise DefinitionError("; ".join(str(p) for p in result.problems))
    return result.inputs


def _event_uid(session: Session, inputs: Mapping[str, Any]) -> str | None:
    return session.registry(inputs.get("teamId")).event_uid(str(inputs["triggerEvent"]))


def _find_existing(
    session: Session, inputs: Mapping[str, Any], owner: str, adopt: bool, *, fresh: bool = False
) -> LiveWorkflow | None:
    """A workflow this resource already owns (a create whose answer was lost), or one to adopt.

    The rule is ``diff.ownership.match``, the one ``thena-workflows plan`` applies too.
    """
    wanted = Wanted(
        owner=owner,
        name=str(inputs["name"]),
        team_id=inputs.get("teamId"),
        kind=(str(inputs.get("type")), str(inputs.get("subType"))),
        adopt=adopt,
    )
    found = match(session.org(fresh=fresh).values(), wanted)
    if found.kind is MatchKind.CONFLICT:
        raise OwnershipError(str(found.reason))
    if found.kind is MatchKind.OWNED and found.kind_changes(wanted):
        assert found.workflow is not None
        raise OwnershipError(kind_change_reason(found.workflow, wanted))
    return found.workflow if found.kind in (MatchKind.OWNED, MatchKind.ADOPT) else None


def _post(session: Session, inputs: Mapping[str, Any], owner: str) -> LiveWorkflow:
    client = session.client()
    body = create_body(inputs, owner, _event_uid(session, inputs))
    try:
        created = client.create_workflow(body)
    except UNKNOWN_OUTCOME:
        # The workflow may exist now: list the org again (not the cache) before deciding.
        found = _find_existing(session, inputs, owner, adopt=False, fresh=True)
        if found is not None:
            return _converge(session, found, inputs, owner)
        created = client.create_workflow(body)
    session.remember(created)
    return _toggle_to(session, created, bool(inputs.get("isActive", True)))


def _converge(
    session: Session, live: LiveWorkflow, inputs: Mapping[str, Any], owner: str
) -> LiveWorkflow:
    """Bring an existing workflow to the inputs with the fewest writes."""
    differing = changed_fields(live_to_inputs(live, inputs), inputs, new_is_canonical=True)
    fields = [f for f in differing if f != "isActive"]
    if owner_marker(live.metadata) != owner:
        fields = sorted({*fields, "metadata"})
    return _patch_and_toggle(session, live.unique_identifier, inputs, owner, fields, current=live)


def _patch_and_toggle(
    session: Session,
    id_: str,
    inputs: Mapping[str, Any],
    owner: str,
    fields: list[str],
    current: LiveWorkflow | None = None,
) -> LiveWorkflow:
    """PATCH ``fields`` and set activation, deactivating before and activating after a PATCH."""
    if blocked := [f for f in fields if f in IMMUTABLE_FIELDS]:
        raise DefinitionError(
            f"{', '.join(blocked)} cannot be changed in place; the engine replaces the workflow"
        )
    wanted = bool(inputs.get("isActive", True))
    if not fields:
        live = current or _require_live(session, id_)
        return _toggle_to(session, live, wanted)
    if not wanted:
        live = current or _require_live(session, id_)
        _toggle_to(session, live, wanted)
    patched = _patch(session, id_, inputs, owner, fields)
    return _toggle_to(session, patched, wanted)


def _require_live(session: Session, id_: str) -> LiveWorkflow:
    live = session.find_live(id_)
    if live is None:
        raise ApiCallError(
            f"workflow {id_} no longer exists in Thena; run `pulumi refresh` so that the next "
            "`pulumi up` creates it again"
        )
    return live


def _patch(
    session: Session, id_: str, inputs: Mapping[str, Any], owner: str, fields: list[str]
) -> LiveWorkflow:
    client = session.client()
    event_uid = _event_uid(session, inputs) if "triggerEvent" in fields else None
    try:
        patched = client.update_workflow(id_, to_api_body(inputs, fields, owner, event_uid))
    except UNKNOWN_OUTCOME:
        # Read what landed and write only what still differs, so the version is bumped once.
        live = client.get_workflow(id_)
        current = live_to_inputs(live, inputs)
        still = [f for f in changed_fields(current, inputs, new_is_canonical=True) if f in fields]
        if not still and owner_marker(live.metadata) == owner:
            session.remember(live)
            return live
        patched = client.update_workflow(
            id_, to_api_body(inputs, still or ["metadata"], owner, event_uid)
        )
    session.remember(patched)
    return patched


def _toggle_to(session: Session, live: LiveWorkflow, wanted: bool) -> LiveWorkflow:
    """Toggle only when the known state differs, and check the answer (toggle flips, U-9)."""
    if live.is_active is None:
        live = _with_known_activation(session, live)
    if live.is_active == wanted:
        return live
    client = session.client()
    try:
        toggled = client.toggle_workflow(live.unique_identifier)
    except UNKNOWN_OUTCOME:
        toggled = client.get_workflow(live.unique_identifier)
        if toggled.is_active != wanted:
            toggled = client.toggle_workflow(live.unique_identifier)
    if toggled is None:  # an answer without a body (U-25): read the state the toggle left
        toggled = client.get_workflow(live.unique_identifier)
    if toggled.is_active != wanted:
        raise ApiCallError(
            f"toggling workflow {live.unique_identifier} left isActive={toggled.is_active}, "
            f"expected {wanted}; check it in Thena and run `pulumi up` again"
        )
    session.remember(toggled)
    return toggled


def _with_known_activation(session: Session, live: LiveWorkflow) -> LiveWorkflow:
    """The workflow read again when an answer left out ``isActive``; an error if still unknown."""
    client = session.client()
    fetched = client.get_workflow(live.unique_identifier)
    if fetched.is_active is None:
        path = client.paths.workflow.format(unique_identifier=live.unique_identifier)
        raise ApiCallError(
            f"GET {path} does not say whether workflow {live.unique_identifier} is active (no "
            "isActive in the answer); a toggle flips the state, so it was not called. Check "
            "the workflow's activation in Thena and run `pulumi up` again"
        )
    session.remember(fetched)
    return fetched


def _exemptions(props: Mapping[str, Any]) -> list[Any]:
    return list(props.get(GUARDRAIL_EXEMPTIONS) or [])


def _settings_only(
    olds: Mapping[str, Any], inputs: Mapping[str, Any], news: Mapping[str, Any]
) -> dict[str, Any]:
    """The outputs of an update that changed no field the API has: the old ones, new settings."""
    outs = {key: inputs[key] for key in DEFINITION_FIELDS if key in inputs}
    outs.update({key: olds[key] for key in ("isActive", *OUTPUT_FIELDS) if key in olds})
    return {**outs, **_settings(news)}


def _settings(props: Mapping[str, Any]) -> dict[str, Any]:
    settings = {OWNER: props.get(OWNER), ADOPT_EXISTING: bool(props.get(ADOPT_EXISTING, False))}
    if props.get(GUARDRAIL_EXEMPTIONS):
        settings[GUARDRAIL_EXEMPTIONS] = props[GUARDRAIL_EXEMPTIONS]
    return settings


def _outputs(
    inputs: Mapping[str, Any], live: LiveWorkflow, props: Mapping[str, Any]
) -> dict[str, Any]:
    outs = {key: inputs[key] for key in DEFINITION_FIELDS if key in inputs}
    outs.update(_settings(props))
    if live.is_active is not None:
        outs["isActive"] = live.is_active
    api = {
        "uniqueIdentifier": live.unique_identifier,
        "uid": live.uid,
        "version": live.version,
        "createdAt": live.created_at,
        "updatedAt": live.updated_at,
    }
    outs.update({key: value for key, value in api.items() if value is not None})
    return outs
