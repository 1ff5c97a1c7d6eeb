"""Hostile definition files (alias bombs, deep nesting) end fast, small and with one line.

Each file is in the bad-input corpus (``tests/reliability/corpus/``), which checks the message
of every file through ``validate`` and ``pulumi preview``; here each runs on its own, as a
process whose time and peak memory are measured: under a minute, each process under 512 MB,
no traceback, one line naming the file and the mistake (a JSON document under ``--json``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_thena.definitions.yamlfile import MAX_DEPTH
from pulumi_thena.emulator import EmulatorServer
from tests.hardening.processes import run_measured
from tests.hardening.test_yaml_limits import deep_file
from tests.reliability.corpus import BadFile, committed, message_for
from tests.reliability.harness import Deployment, new_api_key, open_deployment

pytestmark = pytest.mark.e2e

HOSTILE = (
    "yaml-bomb-nested-aliases.yaml",
    "deeply-nested-lists.yaml",
    "deeply-nested-mappings.yaml",
)
STACK = "hostile"
CLI = Path(sys.executable).with_name("thena-workflows")


def _bad(name: str) -> BadFile:
    [bad] = [bad for bad in committed() if bad.name == name]
    return bad


@pytest.fixture(scope="module")
def deployment(
    tmp_path_factory: pytest.TempPathFactory, pulumi_binary: str
) -> Iterator[Deployment]:
    with EmulatorServer(port=0, api_key=new_api_key()) as server:
        deployment = open_deployment(
            tmp_path_factory.mktemp("hostile"), pulumi_binary, {}, server, stack=STACK
        )
        yield deployment
        deployment.close()


def _only(deployment: Deployment, bad: BadFile) -> Path:
    deployment.project.write_workflows({bad.name: bad.content})
    return deployment.project.workflows_dir / bad.name


@pytest.mark.parametrize("name", HOSTILE)
def test_validate_reports_one_line_quickly_and_small(deployment: Deployment, name: str) -> None:
    bad = _bad(name)
    path = _only(deployment, bad)
    project = deployment.project
    argv = [str(CLI), "--no-progress", "validate", "--stack", STACK, str(path)]
    done = run_measured(argv, cwd=project.root, env=project.env())
    assert done.returncode == 1, done.output
    assert done.problems() == [], done
    assert message_for(bad, done.output) is not None, done.output


@pytest.mark.parametrize("name", HOSTILE)
def test_validate_json_is_one_document(deployment: Deployment, name: str) -> None:
    bad = _bad(name)
    path = _only(deployment, bad)
    project = deployment.project
    argv = [str(CLI), "--json", "validate", "--stack", STACK, str(path)]
    done = run_measured(argv, cwd=project.root, env=project.env())
    assert done.returncode == 1, done.output
    assert done.problems() == [], done
    report = json.loads(done.stdout)
    [problem] = report["problems"]
    assert problem["file"] == bad.shown
    assert bad.expect in problem["message"]


@pytest.mark.parametrize("name", HOSTILE)
def test_pulumi_preview_reports_one_line_quickly_and_small(
    deployment: Deployment, name: str
) -> None:
    bad = _bad(name)
    _only(deployment, bad)
    project = deployment.project
    argv = [project.binary, "preview", "--non-interactive", "--stack", STACK]
    done = run_measured(argv, cwd=project.root, env=project.env())
    project.outputs.append(done.output)
    assert done.returncode != 0, done.output
    assert done.problems() == [], done
    assert message_for(bad, done.output) is not None, done.output
    assert deployment.api_key not in done.output


def test_a_file_at_the_depth_limit_previews(deployment: Deployment) -> None:
    """The limit is far above real workflows, and below what the engine's protocol can carry."""
    deployment.project.write_workflows({"deep.yaml": deep_file(MAX_DEPTH)})
    outcome = deployment.pulumi("preview", check=False)
    assert outcome.ok, outcome.output
    assert "+ 2 to create" in outcome.output, outcome.output  # the stack and the workflow
