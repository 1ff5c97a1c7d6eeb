"""Run the real Pulumi CLI on a copy of this repository's project, offline, against the emulator.

The engine comes from PATH (``scripts/test`` puts the one built by ``scripts/install-pulumi``
there) or from the installer's cache. Everything it needs stays inside a temporary directory:
the file backend, PULUMI_HOME, and a copy of ``Pulumi.yaml`` and ``stacks/`` whose ``.venv`` is
a link to the repository's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.examples import EXAMPLE_PROJECT

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "local"  # stacks/Pulumi.local.yaml carries the salt of this documented passphrase


def find_pulumi() -> str | None:
    """The pulumi binary on PATH, else the installer's cached build; None if neither exists."""
    on_path = shutil.which("pulumi")
    if on_path:
        return on_path
    installer = REPO / "scripts" / "install-pulumi"
    found = subprocess.run(
        [str(installer), "--print-bin-dir"], capture_output=True, text=True, check=False
    )
    candidate = Path(found.stdout.strip().splitlines()[-1]) / "pulumi" if found.stdout else None
    return str(candidate) if candidate and candidate.exists() else None


def require_pulumi() -> str:
    """The engine, or a skip (a failure in CI, where it must run) saying how to get it."""
    binary = find_pulumi()
    if binary is None:
        message = (
            "the Pulumi CLI is not available: run scripts/install-pulumi (builds it from Go "
            "modules, about 4 minutes the first time) or install the official CLI"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


@dataclass
class PulumiProject:
    """A throw-away copy of the project with its own backend and Pulumi home."""

    root: Path
    binary: str
    outputs: list[str] = field(default_factory=list)

    @classmethod
    def copy_of_examples(cls, tmp: Path, binary: str) -> PulumiProject:
        """The examples' project (``tests/examples``), never the repository's own ``stacks/``."""
        root = tmp / "project"
        root.mkdir()
        shutil.copy(EXAMPLE_PROJECT / "Pulumi.yaml", root / "Pulumi.yaml")
        shutil.copytree(
            EXAMPLE_PROJECT / "stacks",
            root / "stacks",
            ignore=shutil.ignore_patterns("__pycache__"),
            symlinks=True,  # stacks/.venv -> ../.venv stays a link
        )
        (root / ".venv").symlink_to(REPO / ".venv")
        (tmp / "state").mkdir()
        (tmp / "home").mkdir()
        return cls(root, binary)

    def env(self) -> dict[str, str]:
        bin_dir = str(Path(self.binary).parent)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("THENA_", "PULUMI_"))}
        env.update(
            PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
            PULUMI_HOME=str(self.root.parent / "home"),
            PULUMI_BACKEND_URL=f"file://{self.root.parent / 'state'}",
            PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK="true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
            PULUMI_SKIP_CONFIRMATIONS="true",
        )
        return env

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``pulumi ARGS`` in the project; every output is kept for the secret scan."""
        return self.command([self.binary, *args, "--non-interactive"], check=check)

    def thena_workflows(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``thena-workflows ARGS`` in the project, with the engine on PATH; any exit code."""
        return self.command([str(REPO / ".venv" / "bin" / "thena-workflows"), *args], check=False)

    def command(self, argv: list[str], *, check: bool) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            argv,
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        self.outputs.append(done.stdout + done.stderr)
        if check and done.returncode != 0:
            raise AssertionError(
                f"{' '.join(argv)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
            )
        return done

    def workflow_file(self, stem: str) -> Path:
        return self.root / "stacks" / "workflows" / f"{stem}.yaml"

    def logs(self) -> str:
        """Everything the engine wrote to its log directory."""
        texts = []
        for path in (self.root.parent / "home").rglob("*.log*"):
            texts.append(path.read_text(errors="replace"))
        return "\n".join(texts)
