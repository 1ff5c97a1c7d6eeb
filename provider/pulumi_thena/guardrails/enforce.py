"""Running a stack's rules over its workflows: levels, exemptions, and what each finding means.

``evaluate`` runs every rule the stack does not disable over every workflow and sorts what they
find: a mandatory violation stops ``validate``, ``plan`` and the Pulumi program; an advisory one
is shown and does not; one the workflow's file exempts (``guardrailExemptions``, with a reason)
is neither, and is listed with its reason. A rule that raises, or returns something other than
``(path, why)`` pairs, is reported at its level as a finding of its own, naming its module, so a
broken team rule cannot pass silently nor stop the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_thena.diff.keys import GUARDRAIL_EXEMPTIONS
from pulumi_thena.guardrails.builtin import BUILTIN_RULES
from pulumi_thena.guardrails.lints import LINT_RULES
from pulumi_thena.guardrails.modules import load_rule_modules
from pulumi_thena.guardrails.registry import (
    Finding,
    Level,
    Rule,
    RuleContext,
    RuleDefinitionError,
    RuleRegistry,
    WorkflowRef,
)
from pulumi_thena.guardrails.settings import (
    Enforcement,
    GuardrailSettings,
    resolve_enforcement,
)
from pulumi_thena.models.problems import Problem


def builtin_registry() -> RuleRegistry:
    """The rules every stack has: the built-in guardrails, then the lints."""
    return RuleRegistry([*BUILTIN_RULES, *LINT_RULES])


def stack_enforcement(
    settings: GuardrailSettings, root: Path | None
) -> tuple[Enforcement, list[Problem]]:
    """The stack's registry (built in, then its modules' rules) with its levels and options.

    Problem paths are relative to the setting (``rules.max-steps.maximum``, ``modules[0]``).
    Without a project directory (``root``), modules cannot be found and are not loaded.
    """
    known = builtin_registry()
    problems: list[Problem] = []
    if settings.modules and root is not None:
        rules, problems = load_rule_modules(settings.modules, root)
        for added in rules:
            try:
                known = known.extended([added])
            except RuleDefinitionError as error:
                index = settings.modules.index(added.source)
                problems.append(Problem(f"modules[{index}]", str(error)))
    enforcement, wrong = resolve_enforcement(settings, known)
    return enforcement, [*problems, *wrong]


@dataclass(frozen=True)
class Exemption:
    """A rule a workflow's file exempts it from, and why (``guardrailExemptions``)."""

    rule: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "reason": self.reason}


@dataclass(frozen=True)
class Subject:
    """One workflow to check: where it is, its canonical definition, its exemptions."""

    name: str
    """Its file, or its resource name in the policy pack."""
    definition: Mapping[str, Any]
    """Canonical wire form, each secret standing as ``[secret]``."""
    exemptions: tuple[Exemption, ...] = ()
    event_schema: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Violation:
    """One finding of one rule in one workflow, at the level the stack enforces it."""

    rule: Rule
    level: Level
    workflow: str
    path: str
    why: str
    exemption: Exemption | None = None

    @property
    def message(self) -> str:
        """``[mandatory] retry-on-external: step 3 calls ... Fix: add retryPolicy ...``."""
        return f"[{self.level.value}] {self.rule.id}: {self.why}. Fix: {self.rule.fix}"


@dataclass(frozen=True)
class ExemptionIssue:
    """An exemption that names no rule of the stack, or exempts from nothing: a warning."""

    workflow: str
    path: str
    message: str


@dataclass(frozen=True)
class Outcome:
    """What the rules found: violations by level, what was exempted, exemptions to look at."""

    violations: tuple[Violation, ...] = ()
    exempted: tuple[Violation, ...] = ()
    issues: tuple[ExemptionIssue, ...] = ()

    @property
    def mandatory(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.level is Level.MANDATORY)

    @property
    def advisory(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.level is Level.ADVISORY)


@dataclass(frozen=True)
class _Run:
    """What every rule of one evaluation shares."""

    enforcement: Enforcement
    stack: str | None
    variables: Mapping[str, Any]
    workflows: tuple[WorkflowRef, ...] = field(default_factory=tuple)


def evaluate(
    subjects: Sequence[Subject],
    enforcement: Enforcement,
    *,
    stack: str | None,
    variables: Mapping[str, Any] | None = None,
) -> Outcome:
    """Every enforced rule over every subject, sorted into violations, exempted and issues."""
    run = _Run(
        enforcement,
        stack,
        variables or {},
        tuple(WorkflowRef(s.name, s.definition) for s in subjects),
    )
    violations: list[Violation] = []
    exempted: list[Violation] = []
    issues: list[ExemptionIssue] = []
    for subject in subjects:
        found = list(_violations(subject, run))
        by_rule = {e.rule: e for e in subject.exemptions}
        for violation in found:
            exemption = by_rule.get(violation.rule.id)
            if exemption is None:
                violations.append(violation)
            else:
                exempted.append(_exempted(violation, exemption))
        issues += _exemption_issues(subject, found, run)
    return Outcome(tuple(violations), tuple(exempted), tuple(issues))


def _exempted(violation: Violation, exemption: Exemption) -> Violation:
    return Violation(
        violation.rule,
        violation.level,
        violation.workflow,
        violation.path,
        violation.why,
        exemption,
    )


def _violations(subject: Subject, run: _Run) -> Iterator[Violation]:
    for known, level in run.enforcement.enforced():
        context = RuleContext(
            workflow=subject.name,
            stack=run.stack,
            options=run.enforcement.options[known.id],
            variables=run.variables,
            workflows=run.workflows,
            event_schema=subject.event_schema,
        )
        for path, why in rule_findings(known, subject.definition, context):
            yield Violation(known, level, subject.name, path, why)


def rule_findings(
    known: Rule, definition: Mapping[str, Any], context: RuleContext
) -> list[Finding]:
    """The rule's findings; a rule that fails says so, as a finding of its own."""
    try:
        found = list(known.check(definition, context) or [])
    except Exception as error:
        return [("", f"the rule failed on this workflow ({_error(error)}); {_fix_the(known)}")]
    wrong = [item for item in found if not _is_finding(item)]
    if wrong:
        return [
            (
                "",
                f"the rule returned {type(wrong[0]).__name__} {_short(wrong[0])}, not a "
                f"(field path, why) pair of texts; {_fix_the(known)}",
            )
        ]
    return [(str(path), str(why).rstrip(".")) for path, why in found]


def _is_finding(item: Any) -> bool:
    return (
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[0], str)
        and isinstance(item[1], str)
    )


def _error(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fix_the(known: Rule) -> str:
    return f"fix the rule in {known.source}" if known.source != "built in" else "report it"


def _exemption_issues(
    subject: Subject, found: Iterable[Violation], run: _Run
) -> Iterator[ExemptionIssue]:
    """Exemptions naming no rule of the stack, and exemptions from an enforced rule that finds
    nothing here: neither stops anything, both are worth a look."""
    finding = {violation.rule.id for violation in found}
    known = run.enforcement.registry
    for index, exemption in enumerate(subject.exemptions):
        where = f"{GUARDRAIL_EXEMPTIONS}[{index}].rule"
        if exemption.rule not in known:
            stack = f"stack '{run.stack}'" if run.stack else "any stack"
            hint = known.did_you_mean(exemption.rule) or "; fix the id or remove it"
            yield ExemptionIssue(
                subject.name,
                where,
                f"exempts from '{exemption.rule}', a rule {stack} does not have{hint}",
            )
        elif (
            run.enforcement.level(exemption.rule) is not Level.DISABLED
            and exemption.rule not in finding
        ):
            yield ExemptionIssue(
                subject.name,
                where,
                f"exempts from '{exemption.rule}', which finds nothing in this workflow; "
                "remove the exemption",
            )
