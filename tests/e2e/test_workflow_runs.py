"""The test files predict what the emulator runs: deploy, fire each case, read it with ``runs``.

The examples' project is deployed to an emulator with the real ``pulumi`` (the local stack).
Each case of the shipped test files (stacks/tests/, the tests' own copy) is fired at the
emulator as an event (``POST /__emulator/events``), its waits decided as the case decides them
(``POST /__emulator/executions/{id}/resolve``); then ``thena-workflows runs <stem> --stack local
--tasks --json`` must show, for each workflow the case expects to run, the steps in the order
the test file predicted, its status and its tasks. The emulator and ``thena-workflows test``
share the evaluator; this checks that what one predicts is what the other shows through the API.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from pulumi_thena.definitions.project import Project
from pulumi_thena.definitions.workflow_test_file import (
    ExpectedTask,
    WorkflowExpectation,
    WorkflowTestCase,
)
from pulumi_thena.definitions.workflow_test_stack import load_stack_under_test
from pulumi_thena.definitions.workflow_tests import (
    PASSED,
    SKIPPED,
    check_test_file,
    read_test_files,
    run_case,
)
from pulumi_thena.diff import OWNER_METADATA_KEY
from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.testing import EmulatorControl
from tests.e2e.engine import PulumiProject, require_pulumi

pytestmark = pytest.mark.e2e

STACK = "local"


@dataclass(frozen=True)
class Fired:
    """One workflow run the emulator made for a case, and what the test file expects of it."""

    case: str
    stem: str
    execution_id: str
    expectation: WorkflowExpectation


@pytest.fixture(scope="module")
def api_key() -> str:
    return f"e2e-{secrets.token_hex(12)}"


@pytest.fixture(scope="module")
def server(api_key: str) -> Iterator[EmulatorServer]:
    with EmulatorServer(port=0, api_key=api_key) as running:
        yield running


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory, server: EmulatorServer, api_key: str
) -> PulumiProject:
    project = PulumiProject.copy_of_examples(tmp_path_factory.mktemp("runs"), require_pulumi())
    project.run("stack", "init", STACK)
    project.run("config", "set", "thena:apiUrl", server.base_url)
    project.run("config", "set", "--secret", "thena:apiKey", api_key)
    project.run("up", "--yes", "--skip-preview")
    return project


def local_cases(project: PulumiProject) -> list[WorkflowTestCase]:
    """The cases of the test files the local stack runs; each passes `thena-workflows test`."""
    examples = Project.at(project.root)
    stack = load_stack_under_test(examples, STACK)
    found = read_test_files(examples, [])
    assert found.problems == ()
    cases = []
    for test in found.documents:
        checked = check_test_file(test, stack)
        assert checked.model is not None, checked.problems
        for index, case in enumerate(checked.model.cases):
            outcome = run_case(test, index, case, stack).outcome
            assert outcome in (PASSED, SKIPPED), (test.file, case.name)
            if outcome == PASSED:
                cases.append(case)
    return cases


def fire(control: EmulatorControl, case: WorkflowTestCase) -> list[dict[str, Any]]:
    """Fire the case's event; decide each wait as the case does. The executions, as they end."""
    options: dict[str, Any] = {
        "entities": case.entities,
        "results": case.results,
        "failures": case.failing_attempts(),
    }
    if case.event.actor is not None:
        options["actor"] = case.event.actor
    if case.event.message_attributes is not None:
        options["messageAttributes"] = case.event.message_attributes
    fired = control.fire_event(case.event.name, case.event.payload, **options)
    executions = []
    for execution in fired["executions"]:
        pending = dict(case.decisions)
        while waiting := [w for w in execution["waits"] if str(w["stepIdentifier"]) in pending]:
            step = str(waiting[0]["stepIdentifier"])
            execution = control.resolve(execution["id"], step, pending.pop(step))
        executions.append(execution)
    return executions


@pytest.fixture(scope="module")
def fired(project: PulumiProject, server: EmulatorServer) -> list[Fired]:
    """Every case fired at the deployed stack; the runs the test files say something about."""
    control = EmulatorControl(server.base_url, server.api_key)
    stems = {
        w["uniqueIdentifier"]: w["metadata"][OWNER_METADATA_KEY].rsplit("/", 1)[1]
        for w in control.workflows()
    }
    runs = []
    for case in local_cases(project):
        executions = fire(control, case)
        triggered = sorted(stems[e["workflowId"]] for e in executions)
        if case.expect.triggers is not None:
            assert triggered == sorted(case.expect.triggers), case.name
        for execution in executions:
            stem = stems[execution["workflowId"]]
            expectation = case.expect.workflows.get(stem)
            if expectation is not None:
                runs.append(Fired(case.name, stem, execution["id"], expectation))
    control.close()
    assert len({run.case for run in runs}) >= 15  # most cases expect a workflow to run
    return runs


def shown_by_runs(project: PulumiProject, stem: str) -> dict[str, list[dict[str, Any]]]:
    """``thena-workflows runs STEM --stack local --tasks --json``: each execution's tasks."""
    done = project.thena_workflows(
        "runs", stem, "--stack", STACK, "--tasks", "--json", "--limit", "100"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["workflow"]["owner"] == f"thena-workflows/{STACK}/{stem}"
    return {run["id"]: run for run in report["executions"]}


def test_runs_shows_the_steps_the_test_files_predicted(
    project: PulumiProject, fired: list[Fired]
) -> None:
    checked = 0
    for stem in sorted({run.stem for run in fired}):
        shown = shown_by_runs(project, stem)
        for run in (r for r in fired if r.stem == stem):
            execution = shown[run.execution_id]
            tasks = execution["tasks"]
            order = [t["stepIdentifier"] for t in tasks if not t["isCompensation"]]
            steps = [int(s) for s in dict.fromkeys(str(s) for s in order)]
            where = f"{run.case} ({stem})"
            expectation = run.expectation
            if expectation.steps is not None:
                assert steps == [int(s) for s in expectation.steps], where
                checked += 1
            if expectation.status is not None:
                assert execution["status"] == expectation.status, where
            if expectation.compensation is not None:
                undone = [t["stepIdentifier"] for t in tasks if t["isCompensation"]]
                assert undone == [int(s) for s in expectation.compensation], where
            if expectation.tasks is not None:
                assert_tasks(expectation.tasks, tasks, where)
    assert checked >= 12


def assert_tasks(expected: list[ExpectedTask], tasks: list[dict[str, Any]], where: str) -> None:
    assert len(tasks) == len(expected), where
    for want, task in zip(expected, tasks, strict=True):
        given = want.model_dump(by_alias=True, exclude_unset=True)
        given["stepIdentifier"] = int(given.pop("step"))
        assert {key: task[key] for key in given} == given, where
