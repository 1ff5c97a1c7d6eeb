"""The installed wheel, outside this repository: what it holds and pulls in, a repository made by
``thena-workflows init`` deployed with the real engine, ``--from-org`` adoption, and an upgrade.

Tests that run the engine are marked ``e2e``. The upgrade test installs another version into
the session's virtual environment and puts the first one back at the end; it is the last test of
this file.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

from pulumi_thena.diff import OWNER_METADATA_KEY
from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.emulator.constants import DEFAULT_API_KEY
from pulumi_thena.testing import EmulatorControl
from tests.docs.markdown import REPO
from tests.packaging.conftest import (
    Distributions,
    Installed,
    build_distributions,
    clean_environment,
    run,
    succeeded,
)

LOCAL_URL = "http://127.0.0.1:8787"
CREATE = "POST /api/v1/workflows"
PATCH = "PATCH /api/v1/workflows/{workflowUniqueIdentifier}"
STARTER = "high-priority-ping"
RUNTIME_FILES = (
    "pulumi_thena/pulumi-plugin.json",  # tells the language host this is no resource plugin
    "pulumi_thena/py.typed",
    "pulumi_thena/resources/workflow.py",  # the import path state names
    "pulumi_thena/definitions/program.py",
    "pulumi_thena/emulator/__main__.py",
    "pulumi_thena/cli/init.py",
    "pulumi_thena/scaffold/files/pipeline.yml.j2",
    "pulumi_thena/scaffold/files/Pulumi.local.yaml.j2",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _metadata(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return archive.read(name).decode()


def _pyproject() -> dict[str, Any]:
    import tomllib

    with (REPO / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


# -- the distributions ---------------------------------------------------------------------


def test_the_wheel_and_sdist_hold_what_a_repository_needs(distributions: Distributions) -> None:
    with zipfile.ZipFile(distributions.wheel) as archive:
        names = set(archive.namelist())
    missing = [name for name in RUNTIME_FILES if name not in names]
    assert missing == []
    templates = {n for n in names if n.startswith("pulumi_thena/scaffold/files/")}
    on_disk = {
        f"pulumi_thena/scaffold/files/{p.name}"
        for p in (REPO / "provider/pulumi_thena/scaffold/files").glob("*.j2")
    }
    assert templates == on_disk
    assert not [n for n in names if n.startswith(("tests/", "stacks/", "benchmarks/"))]
    assert distributions.sdist is not None
    with tarfile.open(distributions.sdist) as archive:
        sdist_names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", *(f"provider/{n}" for n in RUNTIME_FILES)} <= sdist_names
    checked = run(
        [sys.executable, "-m", "twine", "check", "--strict", distributions.wheel,
         distributions.sdist],
        REPO,
    )  # fmt: skip
    assert "PASSED" in succeeded(checked)


def test_the_metadata_requires_the_runtime_dependencies_only(
    distributions: Distributions,
) -> None:
    metadata = _metadata(distributions.wheel)
    assert f"\nVersion: {distributions.version}\n" in metadata
    required = {
        Requirement(line.split(": ", 1)[1]).name.lower()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist: ") and "extra ==" not in line
    }
    declared = {Requirement(r).name.lower() for r in _pyproject()["project"]["dependencies"]}
    assert required == declared
    assert "Requires-Dist: pulumi==3.272.0" in metadata


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _runtime_closure(site_packages: Path, root: str) -> set[str]:
    """The distributions ``root`` needs, its own included, following requirements without
    extras: what an install of ``root`` alone has to bring."""
    installed = {
        _canonical(d.metadata["Name"]): d for d in metadata.distributions(path=[str(site_packages)])
    }
    needed: set[str] = set()
    waiting = [root]
    while waiting:
        name = _canonical(waiting.pop())
        if name in needed or name not in installed:
            continue
        needed.add(name)
        for line in installed[name].requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                waiting.append(requirement.name)
    return needed


def test_pip_install_pulls_every_runtime_dependency_and_no_dev_tool(installed: Installed) -> None:
    listed = json.loads(succeeded(run([installed.bin("pip"), "list", "--format=json"], REPO)))
    present = {_canonical(item["name"]): item["version"] for item in listed}
    assert present["pulumi-thena"] == installed.dist.version
    assert present["pulumi"] == "3.272.0"
    for requirement in map(Requirement, _pyproject()["project"]["dependencies"]):
        name = _canonical(requirement.name)
        assert name in present, f"{name} was not installed"
        assert requirement.specifier.contains(present[name], prereleases=True), name
    [site_packages] = installed.venv.glob("lib/python*/site-packages")
    needed = _runtime_closure(site_packages, "pulumi-thena")
    bootstrap = {"pip", "setuptools", "wheel"}  # venv's own, whether or not a package needs them
    assert set(present) - bootstrap == needed - bootstrap
    dev = {
        _canonical(Requirement(r).name)
        for r in _pyproject()["project"]["optional-dependencies"]["dev"]
    }
    dev_only = dev - needed  # a dev tool that a runtime dependency needs too is not dev-only
    assert {"pytest", "hypothesis", "mypy", "ruff", "build", "twine"} <= dev_only
    assert dev_only & present.keys() == set()
    check = run([installed.bin("pip"), "check"], REPO)
    assert check.returncode == 0, check.stdout
    shown = succeeded(run([installed.bin("thena-workflows"), "--version"], REPO))
    assert shown == f"thena-workflows, version {installed.dist.version}\n"
    code = "import pulumi_thena; print(pulumi_thena.__file__)"
    where = succeeded(run([installed.bin("python"), "-c", code], REPO))
    assert where.startswith(str(installed.venv)) and str(REPO) not in where


# -- a new repository, deployed --------------------------------------------------------------


class NewRepository:
    """A repository made by the installed ``thena-workflows init``, its local stack on a port of
    its own; commands run with the installed package and the Pulumi CLI on PATH."""

    def __init__(self, root: Path, installed: Installed, pulumi_bin: Path) -> None:
        self.root = root
        self.installed = installed
        self.env = clean_environment(pulumi_bin)

    def init(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = run(
            [self.installed.bin("thena-workflows"), "init", ".", *args],
            self.root,
            {**self.env, **(env or {})},
        )
        return succeeded(done)

    def point_local_stack_at(self, url: str) -> None:
        path = self.root / "stacks" / "Pulumi.local.yaml"
        path.write_text(path.read_text().replace(LOCAL_URL, url))

    def thena(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run([self.root / ".venv" / "bin" / "thena-workflows", *args], self.root, self.env)

    def org(self) -> list[dict[str, Any]]:
        """The workflows of the emulator ``thena-workflows local`` ran (its state file)."""
        state = json.loads((self.root / ".pulumi-local" / "emulator.json").read_text())
        return [versions[-1] for versions in state["workflows"].values()]


def _repository(tmp: Path, installed: Installed, pulumi_bin: Path) -> NewRepository:
    root = tmp / "repo"
    root.mkdir()
    (root / ".venv").symlink_to(installed.venv)
    return NewRepository(root, installed, pulumi_bin)


def _readme_commands(repo: NewRepository) -> list[subprocess.CompletedProcess[str]]:
    """Run the new README's commands after the install: validate, test, local preview, local up."""
    readme = (repo.root / "README.md").read_text()
    found = re.search(r"Then check every file.*?```sh\n(.*?)```", readme, re.S)
    assert found is not None, "the README lost its first commands"
    commands = found.group(1).strip().splitlines()
    assert commands == [
        ".venv/bin/thena-workflows validate --all-stacks",
        ".venv/bin/thena-workflows test --all-stacks",
        ".venv/bin/thena-workflows local preview",
        ".venv/bin/thena-workflows local up",
    ]
    return [
        subprocess.run(
            command, shell=True, cwd=repo.root, env=repo.env, capture_output=True, text=True,
            timeout=900, check=False,
        )
        for command in commands
    ]  # fmt: skip


@pytest.mark.e2e
def test_init_validate_preview_and_up_of_the_local_stack(
    installed: Installed, pulumi_bin: Path
) -> None:
    """As docs/adopt.md says: a folder with the package in .venv, `init .`, then the README."""
    repo = NewRepository(installed.venv.parent, installed, pulumi_bin)
    repo.init("--env", "dev,prod")
    project = yaml.safe_load((repo.root / "Pulumi.yaml").read_text())["name"]
    pin = (repo.root / "requirements.txt").read_text().splitlines()[-1]
    assert pin == f"pulumi-thena=={installed.dist.version}"
    repo.point_local_stack_at(f"http://127.0.0.1:{_free_port()}")
    outputs = [succeeded(done) for done in _readme_commands(repo)]
    assert "2 passed" in outputs[1]  # the starter's workflow test, on each stack
    assert [line for line in outputs[2].splitlines() if STARTER in line and "create" in line]
    assert "High-priority ping" in outputs[3]  # local up shows the emulator's workflows
    [workflow] = repo.org()
    assert workflow["metadata"][OWNER_METADATA_KEY] == f"{project}/local/{STARTER}"
    assert workflow["workflowDefinition"][0]["input"]["channel"] == "#local-support"
    succeeded(repo.thena("local", "preview", "--expect-no-changes"))


@pytest.mark.e2e
def test_init_from_org_then_up_adopts_every_workflow_without_a_create(
    installed: Installed, pulumi_bin: Path, tmp_path: Path
) -> None:
    repo = _repository(tmp_path, installed, pulumi_bin)
    hand_made = [
        {
            "name": name,
            "triggerEvent": trigger,
            "executingAgent": "bot-7",
            "teamId": team,
            "isActive": active,
            "filters": {"priority": {"~in": ["high", "urgent"]}},
            "workflowDefinition": [
                {
                    "stepIdentifier": 1,
                    "activity": {"uniqueIdentifier": "slack:send-message"},
                    "input": {"channel": "#support", "text": f"{name}: {{{{context.event.id}}}}"},
                    "retryPolicy": {"maximumAttempts": 2},
                }
            ],
        }
        for name, trigger, team, active in [
            ("Urgent intake", "ticket:created", "team-a", True),
            ("Escalation ping", "ticket:escalated", "team-a", True),
            ("Night watch", "ticket:created", "team-b", False),
        ]
    ]
    with (
        EmulatorServer(port=0, api_key=DEFAULT_API_KEY, state_file=tmp_path / "org.json") as server,
        EmulatorControl(server.base_url, server.api_key) as control,
    ):
        seeded = control.seed(workflows=hand_made)["workflows"]
        credentials = {"THENA_API_URL": server.base_url, "THENA_API_KEY": server.api_key}
        repo.init("--env", "prod", "--from-org", env=credentials)
        files = sorted(p.stem for p in (repo.root / "stacks" / "workflows").glob("*.yaml"))
        assert files == ["escalation-ping", "night-watch", "urgent-intake"]
        repo.point_local_stack_at(server.base_url)
        succeeded(repo.thena("validate", "--all-stacks"))
        before = dict(control.counters()["byRoute"])
        succeeded(repo.thena("local", "up"))
        after = control.counters()["byRoute"]
        writes = {k: after.get(k, 0) - before.get(k, 0) for k in (CREATE, PATCH)}
        assert writes == {CREATE: 0, PATCH: 3}
        project = yaml.safe_load((repo.root / "Pulumi.yaml").read_text())["name"]
        live = {w["uniqueIdentifier"]: w for w in control.workflows()}
        assert set(live) == {w["uniqueIdentifier"] for w in seeded}
        markers = sorted(w["metadata"][OWNER_METADATA_KEY] for w in live.values())
        assert markers == [f"{project}/local/{stem}" for stem in files]
        assert {w["name"]: w["isActive"] for w in live.values()} == {
            "Urgent intake": True,
            "Escalation ping": True,
            "Night watch": False,
        }
        succeeded(repo.thena("local", "preview", "--expect-no-changes"))


# -- upgrades ----------------------------------------------------------------------------------


def _next_version(version: str) -> str:
    major, minor, patch = (int(part) for part in version.split(".")[:3])
    return f"{major}.{minor}.{patch + 1}"


@pytest.mark.e2e
def test_a_repository_keeps_working_after_an_upgrade(
    installed: Installed, pulumi_bin: Path, tmp_path: Path
) -> None:
    """init and up with one version; the next one installed as the docs say (the pin bumped,
    ``pip install -r requirements.txt``); no change, no drift, and a change still deploys."""
    newer = build_distributions(
        tmp_path / "newer", version=_next_version(installed.dist.version), sdist=False
    )
    repo = _repository(tmp_path, installed, pulumi_bin)
    repo.init()
    repo.point_local_stack_at(f"http://127.0.0.1:{_free_port()}")
    succeeded(repo.thena("local", "up"))
    [before] = repo.org()
    requirements = repo.root / "requirements.txt"
    requirements.write_text(requirements.read_text().replace(installed.dist.version, newer.version))
    pip = installed.bin("pip")
    try:
        succeeded(
            run(
                [pip, "install", "--no-index", "--find-links", newer.wheel.parent,
                 "-r", requirements],
                repo.root,
            )
        )  # fmt: skip
        shown = succeeded(repo.thena("--version"))
        assert shown == f"thena-workflows, version {newer.version}\n"
        succeeded(repo.thena("schema", "--check"))
        succeeded(repo.thena("validate", "--all-stacks"))
        succeeded(repo.thena("local", "preview", "--expect-no-changes"))
        succeeded(repo.thena("local", "refresh", "--expect-no-changes"))
        starter = repo.root / "stacks" / "workflows" / f"{STARTER}.yaml"
        starter.write_text(starter.read_text().replace("High priority:", "Urgent, look:"))
        succeeded(repo.thena("local", "up"))
        [after] = repo.org()
        assert after["uniqueIdentifier"] == before["uniqueIdentifier"]
        assert after["workflowDefinition"][0]["input"]["text"].startswith("Urgent, look:")
        assert after["version"] > before["version"]
    finally:  # the session's environment holds the first version again
        succeeded(
            run([pip, "install", "--no-index", "--no-deps", "--force-reinstall",
                 installed.dist.wheel], repo.root)
        )  # fmt: skip
