"""Rotating the API key: the drift job and ``refresh`` work right after ``config set --secret``.

Pulumi records the stack config as the inputs of the default provider in state, and an engine
operation that does not run the program (``preview --refresh``'s refresh, ``refresh``,
``destroy``) configures the provider from that record: the old key, which Thena no longer
accepts. With ``--run-program`` the engine takes the provider's settings from the program's
current config. The drift job of the pipeline is read from ``.github/workflows/`` and run as
it is, right after the rotation; the plain commands are run too, to show why it needs
``--run-program`` (if a future engine re-read the config, that part would say so).
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_thena.emulator import EmulatorServer
from tests.e2e.engine import REPO
from tests.reliability.harness import Deployment, new_api_key, open_deployment, workflow_yaml

pytestmark = pytest.mark.e2e

PIPELINE = REPO / ".github" / "workflows" / "thena-workflows.yml"


def drift_command(stack: str) -> list[str]:
    """The arguments after ``pulumi`` of the pipeline's drift step, for ``stack``."""
    jobs: dict[str, Any] = yaml.safe_load(PIPELINE.read_text())["jobs"]
    [run] = [
        step["run"]
        for step in jobs["drift"]["steps"]
        if "pulumi preview" in str(step.get("run", ""))
    ]
    words = shlex.split(run.replace("${{ matrix.stack }}", stack))
    assert words[0] == "pulumi"
    return words[1:]


def _without_stack(args: list[str]) -> list[str]:
    index = args.index("--stack")
    return args[:index] + args[index + 2 :]


def test_the_drift_job_and_refresh_work_right_after_a_key_rotation(
    tmp_path: Path, pulumi_binary: str
) -> None:
    state = tmp_path / "emulator-state.json"
    old_key, new_key = new_api_key(), new_api_key()
    files = {"wf-1.yaml": workflow_yaml(1), "wf-2.yaml": workflow_yaml(2)}
    with EmulatorServer(port=0, api_key=old_key, state_file=state) as before:
        deployment = open_deployment(tmp_path, pulumi_binary, files, before)
        assert deployment.up().ok
        port = before.port
        deployment.close()
    # The key is regenerated in Thena: the old one stops working, the workflows stay.
    with EmulatorServer(port=port, api_key=new_key, state_file=state) as after:
        deployment = Deployment(deployment.project, after, deployment.stack)
        try:
            deployment.pulumi("config", "set", "--secret", "thena:apiKey", new_key)
            plain_drift = deployment.pulumi("preview", "--refresh", "--expect-no-changes",
                                            check=False)  # fmt: skip
            plain_refresh = deployment.pulumi("refresh", "--yes", check=False)
            plain_destroy = deployment.pulumi("destroy", "--yes", check=False)
            drift = deployment.pulumi(*_without_stack(drift_command(deployment.stack)),
                                      check=False)  # fmt: skip
            refresh = deployment.pulumi("refresh", "--yes", "--run-program", check=False)
            # That refresh recorded the new settings: plain commands work again.
            plain_after = deployment.pulumi("preview", "--refresh", "--expect-no-changes",
                                            check=False)  # fmt: skip
            destroy = deployment.pulumi("destroy", "--yes", "--run-program", check=False)
            left = deployment.control.workflows()
            texts = deployment.texts()
        finally:
            deployment.close()
    assert drift.ok, drift.output
    assert refresh.ok, refresh.output
    assert plain_after.ok, plain_after.output
    assert destroy.ok, destroy.output
    assert left == []
    # Why --run-program: without it the engine configures the provider from the state's record.
    assert not plain_drift.ok and "401" in plain_drift.output, plain_drift.output
    assert not plain_refresh.ok and "401" in plain_refresh.output, plain_refresh.output
    assert not plain_destroy.ok and "401" in plain_destroy.output, plain_destroy.output
    assert not any(key in text for text in texts for key in (old_key, new_key))
