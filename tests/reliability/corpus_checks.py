"""Run the bad-input corpus through ``thena-workflows validate`` and ``pulumi preview``.

For each file: ``validate`` (offline, with the stack's variables; ``--online`` against the
emulator for registry files) must exit 1 with a line naming the file, the field path and the
mistake; ``pulumi preview`` must fail with such a line too (registry files: naming the resource).
Across the run: no write reaches the emulator, no output shows a traceback or the API key.

Used by ``test_corpus.py`` and ``scripts/reliability-report``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner

from pulumi_thena.cli import EXIT_ERROR, cli
from pulumi_thena.emulator import EmulatorServer
from tests.reliability.checks import leak_problems
from tests.reliability.corpus import BadFile, corpus, gives_advice, message_for, offline
from tests.reliability.harness import WRITES, Deployment, new_api_key, open_deployment

STACK = "corpus"
CLI = Path(sys.executable).with_name("thena-workflows")


@dataclass
class Verdict:
    """How one bad file was rejected: the line each tool printed for it (None: not rejected)."""

    bad: BadFile
    validate: str | None = None
    preview: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def rejected_well(self) -> bool:
        return not self.problems


@dataclass
class CorpusReport:
    verdicts: list[Verdict]
    problems: list[str]
    """Problems of the whole run: writes made, tracebacks or the key in any output."""


def check_corpus(workdir: Path, binary: str) -> CorpusReport:
    """Every corpus file through validate and preview, against one emulator."""
    files = corpus()
    with EmulatorServer(port=0, api_key=new_api_key()) as server:
        contents = {bad.name: bad.content for bad in offline(files)}
        deployment = open_deployment(workdir, binary, contents, server, stack=STACK)
        try:
            verdicts = {bad.name: Verdict(bad) for bad in files}
            cli_outputs = _validate_each(deployment, verdicts)
            output, problems = _validate_all_by_entry_point(deployment, offline(files))
            _preview_offline(deployment, verdicts)
            _preview_online(deployment, verdicts)
            problems += _run_problems(deployment, [*cli_outputs, output])
        finally:
            deployment.close()
    for verdict in verdicts.values():
        verdict.problems += _verdict_problems(verdict)
    return CorpusReport(list(verdicts.values()), problems)


def _validate_each(deployment: Deployment, verdicts: dict[str, Verdict]) -> list[str]:
    """``validate`` per file, in process (CliRunner): exit 1 and a line naming the mistake."""
    runner, outputs = CliRunner(), []
    env = {"THENA_API_URL": deployment.server.base_url, "THENA_API_KEY": deployment.api_key}
    for verdict in verdicts.values():
        bad = verdict.bad
        target = deployment.project.workflows_dir / bad.name
        target.write_bytes(bad.content)
        mode = ["--online"] if bad.online else ["--stack", STACK]
        args = ["--project-dir", str(deployment.project.root), "--no-progress", "validate"]
        result = runner.invoke(cli, [*args, *mode, str(target)], env=env)
        outputs.append(result.output)
        if bad.online:
            target.unlink()
        if result.exit_code == EXIT_ERROR:
            verdict.validate = message_for(bad, result.output)
        else:
            verdict.problems.append(f"validate exited {result.exit_code}: {result.output!r}")
    return outputs


def _validate_all_by_entry_point(
    deployment: Deployment, files: list[BadFile]
) -> tuple[str, list[str]]:
    """The console script over every offline file at once: exit 1, each file reported."""
    paths = [str(deployment.project.workflows_dir / bad.name) for bad in files]
    command = [str(CLI), "--no-progress", "validate", "--stack", STACK, *paths]
    env = {k: v for k, v in os.environ.items() if not k.startswith("THENA_")}
    done = subprocess.run(
        command, cwd=deployment.project.root, env=env, capture_output=True, text=True, timeout=120
    )
    output = done.stdout + done.stderr
    missing = [bad.name for bad in files if message_for(bad, output) is None]
    if done.returncode != EXIT_ERROR or missing:
        problem = f"thena-workflows validate exited {done.returncode}; not reported: {missing}"
        return output, [problem]
    return output, []


def _preview_offline(deployment: Deployment, verdicts: dict[str, Verdict]) -> None:
    """One preview of every loader-level file: the program reports them all at once."""
    outcome = deployment.pulumi("preview", check=False)
    for verdict in verdicts.values():
        if not verdict.bad.online:
            verdict.preview = None if outcome.ok else message_for(verdict.bad, outcome.output)


def _preview_online(deployment: Deployment, verdicts: dict[str, Verdict]) -> None:
    """One preview per registry-level file: the engine stops at the first failed check."""
    for verdict in verdicts.values():
        bad = verdict.bad
        if not bad.online:
            continue
        deployment.project.write_workflows({bad.name: bad.content})
        outcome = deployment.pulumi("preview", check=False)
        names = [f"resource '{bad.stem}'", f"/{bad.stem})"]
        verdict.preview = None if outcome.ok else message_for(bad, outcome.output, names=names)


def _verdict_problems(verdict: Verdict) -> list[str]:
    problems = []
    for tool, line in (("validate", verdict.validate), ("preview", verdict.preview)):
        if line is None:
            problems.append(f"{tool} did not report it with its file, path and mistake")
        elif not gives_advice(line):
            problems.append(f"{tool}'s message says nothing about what to do: {line}")
    return problems


def _run_problems(deployment: Deployment, cli_outputs: list[str]) -> list[str]:
    counters = deployment.control.counters()["byRoute"]
    writes = {route: counters[route] for route in WRITES if counters.get(route)}
    problems = [f"writes reached the emulator: {writes}"] if writes else []
    return problems + leak_problems(deployment.api_key, [*deployment.texts(), *cli_outputs])


def check_corpus_in_tmp(binary: str) -> CorpusReport:
    with tempfile.TemporaryDirectory(prefix="thena-corpus-") as tmp:
        return check_corpus(Path(tmp), binary)
