"""The package as a team gets it: a wheel built from this source, installed into a fresh virtual
environment outside the repository. Built and installed once per test session (a minute or two
on a small machine), so that every test here runs the same installed copy.

The build runs on a copy of the source (the files git tracks or would track), so that a build
leaves nothing in the working tree and a version can be changed in the copy alone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.docs.markdown import REPO
from tests.e2e.engine import find_pulumi

BUILD_TIMEOUT = 900


@dataclass(frozen=True)
class Distributions:
    """A wheel and (when built) an sdist of one version, and how long the build took."""

    version: str
    wheel: Path
    sdist: Path | None
    seconds: float


@dataclass
class Installed:
    """A virtual environment with the wheel installed, and the timings of making it."""

    venv: Path
    dist: Distributions
    install_seconds: float
    timings: dict[str, float] = field(default_factory=dict)

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name


def source_version() -> str:
    with (REPO / "pyproject.toml").open("rb") as handle:
        version: str = tomllib.load(handle)["project"]["version"]
    return version


def _source_copy(target: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file() and not source.is_symlink():
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    return target


def build_distributions(
    work: Path, *, version: str | None = None, sdist: bool = True
) -> Distributions:
    """``python -m build`` on a copy of the source; ``version`` replaces pyproject's."""
    source = _source_copy(work / "source")
    if version is not None:
        pyproject = source / "pyproject.toml"
        text, count = re.subn(
            r'(?m)^version = ".*"$', f'version = "{version}"', pyproject.read_text()
        )
        assert count == 1, "pyproject.toml has no version line to change"
        pyproject.write_text(text)
    out = work / "dist"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), *([] if sdist else ["--wheel"])],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"python -m build failed:\n{done.stdout[-3000:]}\n{done.stderr}"
    wheels = list(out.glob("*.whl"))
    sdists = list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == (1 if sdist else 0), list(out.iterdir())
    built = version or source_version()
    return Distributions(built, wheels[0], sdists[0] if sdist else None, time.monotonic() - started)


def clean_environment(*prepend: Path) -> dict[str, str]:
    """The environment without this project's or Pulumi's settings; ``prepend`` on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THENA_", "PULUMI_"))}
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.pathsep.join([*(str(p) for p in prepend), env.get("PATH", "")])
    env["PULUMI_SKIP_UPDATE_CHECK"] = "true"
    env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true"
    env["THENA_RATE_LIMIT_RPS"] = "off"
    return env


def run(
    argv: list[str | Path], cwd: Path, env: dict[str, str] | None = None, timeout: int = 900
) -> subprocess.CompletedProcess[str]:
    """Run a command; any exit code (the caller says what it expects)."""
    return subprocess.run(
        [str(part) for part in argv],
        cwd=cwd,
        env=env if env is not None else clean_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def succeeded(done: subprocess.CompletedProcess[str]) -> str:
    """The standard output of a command that must have exited 0 (its output otherwise)."""
    assert done.returncode == 0, (
        f"{' '.join(map(str, done.args))} exited {done.returncode}\n"
        f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    )
    return done.stdout


@pytest.fixture(scope="session")
def distributions(tmp_path_factory: pytest.TempPathFactory) -> Distributions:
    """The wheel and sdist of this source, built once."""
    return build_distributions(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def installed(
    distributions: Distributions, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Installed]:
    """A fresh virtual environment, outside the repository, with the wheel installed as a team
    installs it: its dependencies resolved from the package index, as in CI. It is the
    ``.venv`` of a folder where a new repository can be started (``init .``)."""
    home = tmp_path_factory.mktemp("support-workflows")
    venv = home / ".venv"
    succeeded(run([sys.executable, "-m", "venv", venv], home))
    started = time.monotonic()
    succeeded(run([venv / "bin" / "pip", "install", "--quiet", distributions.wheel], home))
    yield Installed(venv, distributions, time.monotonic() - started)


@pytest.fixture(scope="session")
def pulumi_bin() -> Path:
    """The directory of the Pulumi CLI (with this project's plugin pieces beside it)."""
    binary = find_pulumi()
    if binary is None:
        message = "the Pulumi CLI is not available: run scripts/install-pulumi"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return Path(binary).parent
