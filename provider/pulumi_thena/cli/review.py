"""The review commands: ``graph`` draws a workflow, ``post-comment`` keeps a PR comment current.

``graph`` loads one definition file as ``validate`` does (with ``--stack``, the stack's variables
fill the placeholders; without, each placeholder stays as written) and draws it with
``pulumi_thena.review``; secrets always show as ``[secret]``. ``post-comment`` posts a file as
the pull-request comment of one key (a stack), updating it in place on the next run.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from pulumi_thena.cli.app import cli, common_options
from pulumi_thena.cli.context import CliState, pass_state
from pulumi_thena.cli.errors import CliError, ProblemsFound, SetupError, UsageFailure
from pulumi_thena.definitions import FileProblem, LoadedWorkflow
from pulumi_thena.definitions.guarding import GuardrailProblem
from pulumi_thena.definitions.loader import SUFFIXES, definition_stems, display_path
from pulumi_thena.definitions.plan import locate, set_at
from pulumi_thena.definitions.project import Project
from pulumi_thena.definitions.validation import validate_files
from pulumi_thena.definitions.variables import string_leaves
from pulumi_thena.definitions.yamlfile import read_yaml
from pulumi_thena.models.problems import closest
from pulumi_thena.review import dot, mermaid, workflow_diagram
from pulumi_thena.review.comment import code_block, comment_body
from pulumi_thena.review.escape import markdown_text
from pulumi_thena.review.github import DEFAULT_API_URL, GitHub, GitHubError, post_comment
from pulumi_thena.review.graphviz import RenderError, render

FORMATS = ("mermaid", "dot", "svg", "png")
SUFFIX_FORMATS = {".mmd": "mermaid", ".mermaid": "mermaid", ".dot": "dot", ".gv": "dot"}
SUFFIX_FORMATS |= {".svg": "svg", ".png": "png"}
# A placeholder as written in a file (``$${`` is a literal ``${`` and not one).
_PLACEHOLDER = re.compile(r"(?<!\$)\$\{(?:var|secret)\.")

GRAPH_EPILOG = (
    "Exit codes: 0 drawn, 1 error (the file has problems, unknown stack, Graphviz missing or "
    "failing), 64 usage error. The format defaults to the --out file's suffix (.mmd, .dot, "
    ".svg, .png), else mermaid; svg and png need Graphviz's `dot`."
)
POST_EPILOG = (
    "Exit codes: 0 posted, updated or unchanged (or no pull request to post on), 1 error "
    "(GitHub refused or could not be reached, settings missing), 64 usage error. Environment: "
    "GITHUB_TOKEN, GITHUB_REPOSITORY (owner/name), GITHUB_API_URL (default "
    f"{DEFAULT_API_URL}); the pull request from --pr, else GITHUB_EVENT_PATH (a pull_request "
    "event), else the one that contains --commit."
)


# -- graph ---------------------------------------------------------------------------------


@cli.command(
    short_help="Draw a workflow as a diagram (Mermaid, DOT, SVG, PNG).", epilog=GRAPH_EPILOG
)
@click.argument("target", metavar="PATH_OR_STEM")
@click.option("--stack", "-s", help="Fill placeholders with this stack's variables.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of stdout.",
)
@common_options
@pass_state
def graph(
    state: CliState, target: str, stack: str | None, fmt: str | None, out: Path | None
) -> None:
    """Draw a workflow: trigger and filters, one node per step, its dependencies.

    PATH_OR_STEM is a definition file, or the name of one in stacks/workflows (without .yaml).
    """
    fmt = fmt or SUFFIX_FORMATS.get(out.suffix.lower() if out else "", "mermaid")
    if fmt == "png" and out is None and sys.stdout.isatty() and not state.json:
        raise UsageFailure("--format png writes binary data: give --out FILE.png")
    loaded, wire = _load(state.project, target, stack)
    diagram = workflow_diagram(wire, loaded.secret_paths)
    sources = {"mermaid": mermaid(diagram), "dot": dot(diagram)}
    data = _rendered(sources, fmt, loaded.file) if out is not None or not state.json else b""
    if out is not None:
        _write(out, data)
    if state.json:
        state.output.json(
            {
                "file": loaded.file,
                "workflow": loaded.definition.name,
                "stack": stack,
                "format": fmt,
                "out": str(out) if out is not None else None,
                **sources,
            }
        )
    elif out is not None:
        state.output.line(f"wrote {out} ({fmt}) for {loaded.file}")
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def _rendered(sources: dict[str, str], fmt: str, file: str) -> bytes:
    if fmt in sources:
        return sources[fmt].encode()
    try:
        return render(sources["dot"], fmt)
    except RenderError as error:
        raise CliError(f"{file}: cannot draw it as {fmt}: {error}") from None


def _write(out: Path, data: bytes) -> None:
    try:
        out.write_bytes(data)
    except OSError as error:
        raise SetupError(f"cannot write {out}: {error.strerror}; check --out") from None


def workflow_file(project: Project, target: str) -> Path:
    """The file ``target`` names: a path, or a stem of stacks/workflows."""
    path = Path(target)
    if path.is_file():
        return path
    for suffix in SUFFIXES:
        candidate = project.workflows_dir / f"{target}{suffix}"
        if candidate.is_file():
            return candidate
    stems = definition_stems(project.workflows_dir)
    match = closest(target, stems)
    hint = f"did you mean '{match}'? " if match else ""
    raise SetupError(
        f"{target}: no such file, and no stacks/workflows/{target}.yaml; {hint}"
        f"workflows: {', '.join(stems) or 'none'}"
    )


def _load(project: Project, target: str, stack: str | None) -> tuple[LoadedWorkflow, Any]:
    """The loaded workflow and the wire form to draw (placeholders as written without a stack)."""
    path = workflow_file(project, target)
    report = validate_files(project, [path], stack)
    # A workflow a guardrail refuses is still drawn: seeing it is how one finds out why.
    problems = [p for p in report.problems if not isinstance(p, GuardrailProblem)]
    if problems:
        raise ProblemsFound(problems)
    if not report.loaded:
        shown = display_path(path, project.root)
        raise SetupError(
            f"{shown}: stack '{stack}' does not deploy this workflow (thena-workflows:include "
            "leaves it out); draw it without --stack, or with a stack that includes it"
        )
    loaded = report.loaded[0]
    wire = loaded.definition.to_wire()
    if stack is None:
        _restore_placeholders(wire, path)
    return loaded, wire


def _restore_placeholders(wire: dict[str, Any], path: Path) -> None:
    """Put each placeholder back as written: without a stack, ``${var.x}`` is what to show.

    Validation stands in a value of the right type for a placeholder in a number field (so
    that the file can be checked); a diagram must not show that value as if it were real.
    """
    document = read_yaml(path, path.name)
    if isinstance(document, FileProblem):  # it was just read and validated; nothing to restore
        return
    for field_path, text in string_leaves(document.data):
        tokens = locate(wire, field_path) if _PLACEHOLDER.search(text) else None
        if tokens:
            set_at(wire, tokens, text)


# -- post-comment --------------------------------------------------------------------------


@cli.command(
    "post-comment", short_help="Post or update a pull-request comment.", epilog=POST_EPILOG
)
@click.option("--marker", "key", required=True, help="The comment's key, one per stack (dev).")
@click.option(
    "--file",
    "content_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The Markdown to post (or text, with --code).",
)
@click.option("--title", help="A heading above the content.")
@click.option("--code", is_flag=True, help="Show the file as a code block (plain text output).")
@click.option("--pr", "number", type=click.IntRange(1), help="The pull request's number.")
@click.option("--commit", help="Post on the pull request that contains this commit.")
@click.option("--artifact", help="The artifact that holds the full file (named if it is cut).")
@common_options
@pass_state
def post_comment_command(
    state: CliState,
    key: str,
    content_file: Path,
    title: str | None,
    code: bool,
    number: int | None,
    commit: str | None,
    artifact: str | None,
) -> None:
    """Post a file as this key's pull-request comment, or update the one posted before."""
    github = _github()
    content = content_file.read_text(encoding="utf-8", errors="replace")
    body = comment_body(
        key, code_block(content) if code else content, title=title, full_text_at=_where(artifact)
    )
    try:
        number = number or _event_pull_request() or _commit_pull_request(github, commit)
        if number is None:
            state.output.warn(f"no pull request contains commit {commit}; nothing posted")
            _report(state, {"action": "none", "pullRequest": None})
            return
        posted = post_comment(github, number, key, body.text)
    except GitHubError as error:
        raise CliError(str(error)) from None
    _report(
        state,
        {
            "action": posted.action,
            "pullRequest": number,
            "url": posted.comment.url,
            "truncated": body.truncated,
            "characters": len(body.text),
        },
    )


def _github() -> GitHub:
    token = os.environ.get("GITHUB_TOKEN", "")
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    if not token:
        raise SetupError(
            "GITHUB_TOKEN is not set; in GitHub Actions add `env: GITHUB_TOKEN: "
            "${{ github.token }}` to the step (the job needs pull-requests: write)"
        )
    if not repository:
        raise SetupError("GITHUB_REPOSITORY is not set; set it to owner/name")
    try:
        return GitHub(os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL, repository, token)
    except ValueError as error:
        raise SetupError(f"GITHUB_REPOSITORY: {error}") from None


def _event_pull_request() -> int | None:
    """The pull request of the event that started the run (GITHUB_EVENT_PATH), if any."""
    path = os.environ.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SetupError(f"GITHUB_EVENT_PATH ({path}) cannot be read: {error}") from None
    pull_request = event.get("pull_request") if isinstance(event, dict) else None
    found = pull_request.get("number") if isinstance(pull_request, dict) else None
    return found if isinstance(found, int) else None


def _commit_pull_request(github: GitHub, commit: str | None) -> int | None:
    if commit is None:
        raise UsageFailure(
            "no pull request: give --pr NUMBER or --commit SHA (or run on a pull_request event)"
        )
    numbers = github.pull_requests_of(commit)
    return numbers[0] if numbers else None


def _where(artifact: str | None) -> str | None:
    """Where the uncut file is: the artifact, in this run (from GitHub Actions' variables)."""
    server = os.environ.get("GITHUB_SERVER_URL")
    repository = os.environ.get("GITHUB_REPOSITORY")
    run = os.environ.get("GITHUB_RUN_ID")
    run_link = f"[this run]({server}/{repository}/actions/runs/{run})" if server and run else ""
    if artifact:
        return f"the artifact {markdown_text(artifact)} of {run_link or 'this run'}"
    return f"the log of {run_link}" if run_link else None


def _report(state: CliState, result: dict[str, Any]) -> None:
    if state.json:
        state.output.json(result)
        return
    if result["action"] == "none":
        return
    cut = " (cut to fit GitHub's limit)" if result.get("truncated") else ""
    done = {"unchanged": "left the comment as it was"}.get(
        result["action"], f"{result['action']} the comment"
    )
    state.output.line(f"{done} on pull request #{result['pullRequest']}: {result['url']}{cut}")
