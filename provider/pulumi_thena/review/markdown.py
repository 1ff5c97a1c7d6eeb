"""The plan and the promotion check as the Markdown a reviewer reads in a pull request.

A summary table first, then, for each workflow that would change, a picture of the change
(Mermaid, which GitHub and GitLab draw: added steps, removed steps dashed, changed steps in
their own style) and a table of the changed fields with both values. Every name and value from
files or from the live org goes through ``escape``; secrets are masked before they get here.
The pull-request poster (``comment``) keeps the whole under GitHub's comment limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from pulumi_thena.definitions.envs import AGREE, EnvDiff, EnvItem, Status
from pulumi_thena.definitions.plan import NO_CHANGE, Action, FieldChange, Plan, PlanItem
from pulumi_thena.review import change_mermaid, fenced
from pulumi_thena.review.escape import markdown_code_cell, markdown_text

SYMBOL = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.REPLACE: "-/+",
    Action.TOGGLE: "~",
    Action.DELETE: "-",
    Action.CONFLICT: "!",
    Action.UNCHANGED: " ",
    Action.RETAIN: " ",
}
"""One symbol per action, as in ``plan``'s table and ``terraform plan``."""
VALUE_WIDTH = 80


def plan_markdown(plan: Plan, command: str) -> str:
    """The plan of one stack as a pull-request comment body (without its marker)."""
    counts = plan.counts()
    lines = [f"### Plan for stack `{markdown_text(plan.stack)}`", ""]
    lines += ["| Action | Workflows |", "| --- | ---: |"]
    lines += [f"| {a.value} | {counts[a.value]} |" for a in Action if counts[a.value]]
    lines += [f"| unmanaged (not touched) | {len(plan.unmanaged)} |", ""]
    if not plan.has_changes:
        lines += ["No change: `pulumi up` would leave the org as it is.", ""]
    if plan.secrets_compared is False:
        lines += ["Secret inputs were not compared (the Pulumi CLI could not decrypt them).", ""]
    for item in plan.items:
        if item.action not in NO_CHANGE:
            lines += _plan_item(item)
    lines += _guardrails(plan)
    lines += [f"<sub>Made by `{markdown_text(command)}`.</sub>", ""]
    return "\n".join(lines)


def _guardrails(plan: Plan) -> list[str]:
    """What the files' exemptions waive, with their reasons, and the advisory findings."""
    lines: list[str] = []
    if plan.exempted:
        lines += [
            "#### Guardrail exemptions",
            "",
            "| File | Rule | Reason |",
            "| --- | --- | --- |",
        ]
        lines += [
            f"| {markdown_code_cell(e.file)} | {markdown_code_cell(e.rule)} | "
            f"{markdown_text(e.reason)} |"
            for e in plan.exempted
        ]
        lines.append("")
    if plan.warnings:
        lines += ["#### Warnings (advisory guardrails and lints)", ""]
        lines += [f"- {markdown_text(str(warning))}" for warning in plan.warnings]
        lines.append("")
    return lines


def _plan_item(item: PlanItem) -> list[str]:
    title = f"`{SYMBOL[item.action]}` {item.action.value} `{markdown_text(item.resource)}`"
    lines = [f"#### {title}: {markdown_text(item.name)}", ""]
    if item.note:
        lines += [f"> {markdown_text(item.note)}", ""]
    if item.live is not None or item.wanted is not None:
        lines += [fenced(change_mermaid(item.live, item.wanted)).rstrip("\n"), ""]
    lines += _field_table(item.changes, "Live", "Wanted")
    return lines


def _field_table(changes: Sequence[FieldChange], before: str, after: str) -> list[str]:
    if not changes:
        return []
    rows = [f"| Field | {markdown_text(before)} | {markdown_text(after)} |", "| --- | --- | --- |"]
    rows += [
        f"| {markdown_code_cell(c.path)} | {_cell(c.live)} | {_cell(c.wanted)} |" for c in changes
    ]
    return [*rows, ""]


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) > VALUE_WIDTH:
        text = text[: VALUE_WIDTH - 1] + "…"
    return markdown_code_cell(text)


def envs_markdown(result: EnvDiff, command: str) -> str:
    """The promotion check (diff-envs) as a pull-request comment body."""
    pending = [item for item in result.items if item.status not in AGREE]
    source, target = markdown_text(result.from_stack), markdown_text(result.to_stack)
    lines = [f"### Promotion: `{source}` → `{target}`", ""]
    if not pending:
        lines += [f"`{target}` is up to date with `{source}`.", ""]
    lines += ["| Workflow | Status |", "| --- | --- |"]
    lines += [f"| `{markdown_text(i.resource)}` | {_status(i, result)} |" for i in result.items]
    lines.append("")
    for item in pending:
        lines += _env_item(item, result)
    lines += [f"<sub>Made by `{markdown_text(command)}`.</sub>", ""]
    return "\n".join(lines)


def _status(item: EnvItem, result: EnvDiff) -> str:
    words = {
        Status.ONLY_FROM: f"only in {result.from_stack}",
        Status.ONLY_TO: f"only in {result.to_stack}",
        Status.NOT_INCLUDED: f"not included in {result.to_stack}",
    }
    return markdown_text(words.get(item.status, item.status.value))


def _env_item(item: EnvItem, result: EnvDiff) -> Iterable[str]:
    yield f"#### `{markdown_text(item.resource)}`: {markdown_text(item.name or '?')}"
    yield ""
    if item.note:
        yield f"> {markdown_text(item.note)}"
        yield ""
    yield from _field_table(
        item.changes, f"{result.from_stack} (in {result.to_stack}'s terms)", result.to_stack
    )
