"""What "the org equals the definitions" means, checked field by field, and the secret scan.

Each check returns a list of problems (empty when all is well), so that a scenario can report
every way it went wrong at once, in the report table as in a test failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_thena.definitions import Substitutions, load_definitions
from pulumi_thena.diff import canonical_inputs, changed_fields, live_to_inputs, owner_marker
from pulumi_thena.models import Workflow as LiveWorkflow
from tests.reliability.harness import TRACEBACK, Deployment


@dataclass(frozen=True)
class Expected:
    """One workflow the org must hold: its canonical inputs and the version it must be at."""

    inputs: dict[str, Any]
    version: int

    @property
    def is_active(self) -> bool:
        return bool(self.inputs.get("isActive", True))


def expected_from_files(
    deployment: Deployment, versions: Mapping[str, int], inactive: Iterable[str] = ()
) -> dict[str, Expected]:
    """The workflows the project's files define, by file stem (version 1 unless given)."""
    loaded = load_definitions(deployment.project.workflows_dir, Substitutions())
    off = set(inactive)
    expected = {}
    for workflow in loaded:
        props = {**workflow.definition.to_wire(), "isActive": workflow.stem not in off}
        inputs = canonical_inputs(props).inputs
        expected[workflow.stem] = Expected(inputs, versions.get(workflow.stem, 1))
    return expected


def owned_by_stem(workflows: Iterable[Mapping[str, Any]], prefix: str) -> dict[str, list[Any]]:
    """Live workflows whose owner marker starts with ``prefix``, grouped by resource name."""
    grouped: dict[str, list[Any]] = {}
    for workflow in workflows:
        marker = owner_marker(workflow.get("metadata"))
        if marker is not None and marker.startswith(prefix):
            grouped.setdefault(marker[len(prefix) :], []).append(workflow)
    return grouped


def org_problems(
    live: list[dict[str, Any]], expected: Mapping[str, Expected], prefix: str
) -> list[str]:
    """Every way the org differs from ``expected``: missing, duplicated, changed, extra."""
    owned = owned_by_stem(live, prefix)
    extra = sorted(set(owned) - set(expected))
    problems = [f"{stem}: in the org but not defined" for stem in extra]
    for stem, want in sorted(expected.items()):
        found = owned.get(stem, [])
        if len(found) != 1:
            problems.append(f"{stem}: {len(found)} workflows in the org, expected exactly 1")
            continue
        problems += [f"{stem}: {p}" for p in workflow_problems(found[0], want)]
    return problems


def workflow_problems(live: Mapping[str, Any], want: Expected) -> list[str]:
    """How one live workflow differs from what it should be."""
    model = LiveWorkflow.model_validate(live)
    differing = changed_fields(live_to_inputs(model, want.inputs), want.inputs)
    problems = [f"{name} differs from the definition" for name in differing if name != "isActive"]
    if model.is_active != want.is_active:
        problems.append(f"isActive is {model.is_active}, expected {want.is_active}")
    if model.version != want.version:
        problems.append(f"version is {model.version}, expected {want.version}")
    return problems


def unmanaged(live: list[dict[str, Any]]) -> list[str]:
    """Workflows that carry no owner marker (in a fresh org: made by no stack)."""
    return [str(w["uniqueIdentifier"]) for w in live if owner_marker(w.get("metadata")) is None]


def state_problems(
    state: Mapping[str, Mapping[str, Any]], live: list[dict[str, Any]], prefix: str
) -> list[str]:
    """Pulumi's state must name each owned workflow with the org's id, version and isActive."""
    owned = {stem: found[0] for stem, found in owned_by_stem(live, prefix).items()}
    problems = [f"{name}: in state, not in the org" for name in sorted(set(state) - set(owned))]
    problems += [f"{name}: in the org, not in state" for name in sorted(set(owned) - set(state))]
    for name in sorted(set(state) & set(owned)):
        for key in ("uniqueIdentifier", "version", "isActive"):
            if state[name].get(key) != owned[name].get(key):
                problems.append(
                    f"{name}: state {key}={state[name].get(key)!r}, org {owned[name].get(key)!r}"
                )
    return problems


def pending_problems(exported: Mapping[str, Any]) -> list[str]:
    """Operations a run left unfinished in the checkpoint."""
    pending = exported["deployment"].get("pending_operations") or []
    return [f"pending {op.get('type')} of {op['resource']['urn']}" for op in pending]


def leak_problems(secret: str, texts: Iterable[str]) -> list[str]:
    """The secret must appear in no text; nor may a Python traceback."""
    problems = []
    for index, text in enumerate(texts):
        if secret in text:
            problems.append(f"the API key appears in output #{index}")
        if TRACEBACK in text:
            problems.append(f"a Python traceback appears in output #{index}")
    return problems


def converged_problems(
    deployment: Deployment, expected: Mapping[str, Expected], others: Iterable[str] = ()
) -> list[str]:
    """Org, state and program agree, and nothing leaked: the end condition of every scenario.

    ``others`` are workflows of the org that no stack manages and that may stay.
    """
    live = deployment.control.workflows()
    exported = deployment.export()
    problems = org_problems(live, expected, deployment.owner_prefix)
    stray = [uid for uid in unmanaged(live) if uid not in set(others)]
    problems += [f"{uid}: unmanaged workflow in the org" for uid in stray]
    problems += state_problems(deployment.state_workflows(exported), live, deployment.owner_prefix)
    problems += pending_problems(exported)
    preview = deployment.pulumi("preview", "--refresh", "--expect-no-changes", check=False)
    if not preview.ok:
        problems.append(f"preview --refresh --expect-no-changes failed: {preview.last_line}")
    return problems + leak_problems(deployment.api_key, deployment.texts())
