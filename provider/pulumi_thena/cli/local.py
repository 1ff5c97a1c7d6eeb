"""``thena-workflows local``: the local stack's one entry point, which cannot drift from the demo.

It runs ``pulumi`` on the ``local`` stack the way ``scripts/demo`` does: the file backend and
Pulumi home in ``.pulumi-local/``, the documented passphrase ``local``, the emulator on the
address of ``stacks/Pulumi.local.yaml`` with its state in ``.pulumi-local/emulator.json``
(started for the run when nothing answers there), the stack selected or created. Before a run
it compares the stack's state with the emulator's workflows and, when they disagree (an emulator
started by hand without its state file, a deleted state), stops and says to run with
``--refresh``. Without a terminal it adds ``--yes`` and ``--non-interactive``. A local stack of
many workflows runs without checkpoints, as the pipeline's do (``definitions.checkpoints``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from pulumi_thena.cli.errors import SetupError
from pulumi_thena.client import ThenaClient, ThenaError
from pulumi_thena.definitions.checkpoints import checkpoint_choice
from pulumi_thena.definitions.errors import DefinitionLoadError
from pulumi_thena.definitions.project import Project
from pulumi_thena.definitions.stack import selected_stems
from pulumi_thena.diff.ownership import owner_marker, resource_of
from pulumi_thena.models import Workflow

STACK = "local"
LOCAL_DIR = ".pulumi-local"
PASSPHRASE = "local"
"""The local stack's documented passphrase (its encryptionsalt is committed)."""
ENGINE_TYPE = "pulumi-python:dynamic/thena:Workflow"
CONFIRMING = frozenset({"up", "update", "refresh", "destroy", "import"})
"""Pulumi commands that ask for a confirmation on a terminal."""
PROGRESSING = CONFIRMING | {"preview"}


def find_pulumi() -> Path:
    """The Pulumi CLI: on PATH, else the build ``scripts/install-pulumi`` cached."""
    on_path = shutil.which("pulumi")
    if on_path:
        return Path(on_path)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pulumi-thena"
    built = sorted(cache.glob("pulumi-*/bin/pulumi"), key=lambda p: p.stat().st_mtime)
    if built:
        return built[-1]
    raise SetupError(
        "the Pulumi CLI is not on PATH; install it (https://www.pulumi.com/docs/install/), "
        "or in a clone of pulumi-thena run scripts/install-pulumi"
    )


def local_environment(project: Project, pulumi: Path) -> dict[str, str]:
    """What every local run sets: backend and home in .pulumi-local/, passphrase, offline, and
    no checkpoints for a large stack."""
    local = project.root / LOCAL_DIR
    (local / "state").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PATH"] = f"{pulumi.parent}{os.pathsep}{env.get('PATH', '')}"
    env["PULUMI_BACKEND_URL"] = f"file://{local / 'state'}"
    env.setdefault("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    env.setdefault("PULUMI_HOME", str(local / "home"))
    env["PULUMI_SKIP_UPDATE_CHECK"] = "true"
    env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true"
    try:
        workflows = len(selected_stems(project.root, STACK))
    except DefinitionLoadError:
        return env  # the program reports the stack file's problems, with the others
    env.update(checkpoint_choice(STACK, workflows, env).environment)
    return env


@dataclass(frozen=True)
class LocalApi:
    """Where the local stack's emulator is, from ``stacks/Pulumi.local.yaml``."""

    url: str
    key: str

    @classmethod
    def of(cls, project: Project) -> LocalApi:
        config = project.stack_config(STACK)
        url, key = config.get("thena:apiUrl"), config.get("thena:apiKey")
        host = urlparse(url).hostname if isinstance(url, str) else None
        if (
            not isinstance(url, str)
            or host not in ("127.0.0.1", "localhost", "::1")
            or not (isinstance(key, str))
        ):
            raise SetupError(
                "stacks/Pulumi.local.yaml must point thena:apiUrl at a loopback address and hold "
                "the emulator's key in thena:apiKey (the local stack is the emulator)"
            )
        return cls(url.rstrip("/"), key)

    def client(self) -> ThenaClient:
        return ThenaClient(self.url, self.key, rate_limit_rps=None)

    def answers(self) -> bool:
        try:
            with self.client() as client:
                return client.probe("/api/v1/workflows/health").status == 200
        except ThenaError:
            return False


@contextmanager
def running_emulator(project: Project, api: LocalApi) -> Iterator[bool]:
    """The emulator with the demo's state file, started for the run unless one answers."""
    if api.answers():
        yield False
        return
    parsed = urlparse(api.url)
    state = project.root / LOCAL_DIR / "emulator.json"
    log = (project.root / LOCAL_DIR / "emulator.log").open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pulumi_thena.emulator",
            "--host",
            parsed.hostname or "127.0.0.1",
            "--port",
            str(parsed.port or 80),
            "--api-key",
            api.key,
            "--state",
            str(state),
        ],
        stdout=log,
        stderr=log,
    )
    try:
        _wait_until_up(api, process, project)
        yield True
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _wait_until_up(api: LocalApi, process: subprocess.Popen[bytes], project: Project) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if api.answers():
            return
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise SetupError(
        f"the emulator did not start on {api.url}; see {LOCAL_DIR}/emulator.log "
        "(is another program using the port?)"
    )


def select_stack(pulumi: Path, project: Project, env: dict[str, str]) -> None:
    """Select the local stack, creating it the first time."""
    selected = _pulumi(pulumi, project, env, "stack", "select", STACK)
    if selected.returncode != 0:
        created = _pulumi(pulumi, project, env, "stack", "init", STACK)
        if created.returncode != 0:
            raise SetupError(f"cannot create the local stack: {created.stderr.strip()}")


def disagreement(pulumi: Path, project: Project, env: dict[str, str], api: LocalApi) -> str | None:
    """How the stack's state and the emulator's workflows disagree, if they do."""
    exported = _pulumi(pulumi, project, env, "stack", "export", "--stack", STACK)
    if exported.returncode != 0:
        return None
    resources = json.loads(exported.stdout).get("deployment", {}).get("resources") or []
    in_state = {r["id"] for r in resources if r.get("type") == ENGINE_TYPE and r.get("id")}
    with api.client() as client:
        live = {
            wf.unique_identifier
            for wf in client.iter_workflows()
            if resource_of(owner_marker(wf.metadata), project.name, STACK)
        }
    if in_state == live:
        return None
    missing, extra = len(in_state - live), len(live - in_state)
    return (
        f"the local stack's state and the emulator at {api.url} disagree: {missing} workflow(s) "
        f"of the state are not in the emulator, and it holds {extra} of this stack that the "
        "state does not (an emulator started without .pulumi-local/emulator.json, or a state "
        "from another run)"
    )


def run_local(
    project: Project, args: Sequence[str], show: Callable[[list[Workflow]], None] | None = None
) -> int:
    """Run ``pulumi ARGS --stack local`` against the emulator; returns pulumi's exit code.

    After a successful ``up``, ``show`` gets the workflows the emulator holds.
    """
    pulumi = find_pulumi()
    env = local_environment(project, pulumi)
    api = LocalApi.of(project)
    with running_emulator(project, api) as started:
        if started:
            print(
                f"==> started the emulator on {api.url} (state in {LOCAL_DIR}/emulator.json)",
                file=sys.stderr,  # stdout is pulumi's: `local stack export > state.json`
            )
        select_stack(pulumi, project, env)
        command = args[0] if args else ""
        if command in PROGRESSING and "--refresh" not in args and "-r" not in args:
            problem = disagreement(pulumi, project, env, api)
            if problem:
                raise SetupError(
                    f"{problem}. Run `thena-workflows local {command} --refresh` to bring the "
                    "state in line with the emulator first"
                )
        argv = [str(pulumi), *args, "--stack", STACK, *_unattended(command)]
        code = subprocess.run(argv, cwd=project.root, env=env, check=False).returncode
        if code == 0 and command in ("up", "update") and show is not None:
            with api.client() as client:
                show(sorted(client.iter_workflows(), key=lambda wf: wf.name or ""))
        return code


def _unattended(command: str) -> list[str]:
    """Flags that a run without a terminal needs (no prompt, no progress animation)."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        return []
    flags = ["--non-interactive"]
    if command in CONFIRMING:
        flags.append("--yes")
    if command in PROGRESSING:
        flags.append("--suppress-progress")
    return flags


def _pulumi(
    pulumi: Path, project: Project, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(pulumi), *args, "--non-interactive"],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
