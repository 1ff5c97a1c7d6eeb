"""``thena-workflows guardrails``: the rules a stack enforces, and where the policy pack is."""

from __future__ import annotations

import json
from typing import Any

import click

from pulumi_thena.cli.app import cli, common_options
from pulumi_thena.cli.context import CliState, pass_state
from pulumi_thena.cli.errors import ProblemsFound
from pulumi_thena.cli.output import Output
from pulumi_thena.definitions.guarding import stack_enforcement_of
from pulumi_thena.definitions.stack import (
    StackSettings,
    config_file_of,
    parse_settings,
    read_stack_config,
)
from pulumi_thena.guardrails.crossguard import pack_path
from pulumi_thena.guardrails.settings import Enforcement


@cli.group(
    short_help="The stack's guardrails: its rules, and the policy pack.",
    epilog="Exit codes: those of its command.",
)
def guardrails() -> None:
    """Rules every workflow of a stack is held to (thena-workflows:guardrails), in validate,
    plan, the Pulumi program and `pulumi preview --policy-pack` (docs/guardrails.md)."""


@guardrails.command(
    "list",
    short_help="Every rule, with its level and options in a stack.",
    epilog="Exit codes: 0 listed, 1 the stack's guardrails setting is wrong, 64 usage error.",
)
@click.option("--stack", "-s", help="Levels and options of this stack (default: the rules' own).")
@common_options
@pass_state
def guardrails_list(state: CliState, stack: str | None) -> None:
    """List the rules: built in, the lints, and the repository's own (with --stack, from the
    modules the stack names), each with its level and options."""
    enforcement = _enforcement(state, stack)
    if state.json:
        state.output.json({"stack": stack, "rules": _rules_json(enforcement)})
    else:
        _render(state.output, enforcement, stack)


@guardrails.command(
    "pack-path",
    short_help="Print the directory of the installed policy pack.",
    epilog="Exit codes: 0, or 64 usage error.",
)
@common_options
@pass_state
def guardrails_pack_path(state: CliState) -> None:
    """Print where the guardrails' CrossGuard pack is installed, for
    `pulumi preview --policy-pack "$(thena-workflows guardrails pack-path)"`."""
    if state.json:
        state.output.json({"path": str(pack_path())})
    else:
        state.output.raw(str(pack_path()))


def _enforcement(state: CliState, stack: str | None) -> Enforcement:
    if stack is None:
        enforcement, _ = stack_enforcement_of(StackSettings().guardrails, None, "")
        return enforcement
    source = config_file_of(stack)
    raw, problems = read_stack_config(state.project.require_stack(stack), source)
    settings, found = parse_settings(raw, source)
    enforcement, wrong = stack_enforcement_of(settings.guardrails, state.project.root, source)
    guardrail_problems = [p for p in [*problems, *found, *wrong] if "guardrails" in p.path]
    if guardrail_problems:
        raise ProblemsFound(guardrail_problems)
    return enforcement


def _rules_json(enforcement: Enforcement) -> list[dict[str, Any]]:
    return [
        {
            "id": known.id,
            "level": enforcement.level(known.id).value,
            "options": dict(enforcement.options[known.id]),
            "lint": known.lint,
            "source": known.source,
            "description": known.description,
            "fix": known.fix,
        }
        for known in enforcement.registry
    ]


def _render(out: Output, enforcement: Enforcement, stack: str | None) -> None:
    rows = [
        (
            known.id,
            enforcement.level(known.id).value,
            ", ".join(f"{k}={json.dumps(v)}" for k, v in enforcement.options[known.id].items()),
            "lint" if known.lint else known.source,
            known.description,
        )
        for known in enforcement.registry
    ]
    title = f"Guardrails of stack '{stack}'" if stack else "Guardrails (each rule's own level)"
    out.table(title, ("Rule", "Level", "Options", "Source", "Checks"), rows, no_wrap=("Rule",))
