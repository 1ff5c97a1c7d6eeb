"""Running a stack's rules over its workflows: levels, exemptions, and what each finding means.

``evaluate`` runs every rule the stack does not disable over every workflow and sorts what they
find: a mandatory violation stops ``validate``, ``plan`` and the Pulumi program; an advisory one
is shown and does not; one the workflow's file exempts (``guardrailExemptions``, with a reason)
is neither, and is listed with its reason. A rule that raises, or returns something other than
``(path, why)`` pairs, is reported at its level as a finding of its own, naming its module, so a
broken team rule cannot pass silently nor stop the others.

What the built-in rules that read nothing but the workflow (``Rule.content_only``) find can be
kept between runs in a ``KeptFindings`` store, by a key of the definition, the event's schema,
those rules with their options, and the package's own source: at 500 files they are most of a
stack's guardrail time, and the pipeline checks the same files in ``validate``, ``plan``, the
preview and the ``up``. A repository's rules, and those reading other workflows, always run.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pulumi_thena.diff.keys import GUARDRAIL_EXEMPTIONS
from pulumi_thena.guardrails.builtin import BUILTIN_RULES
from pulumi_thena.guardrails.lints import LINT_RULES
from pulumi_thena.guardrails.modules import load_rule_modules
from pulumi_thena.guardrails.registry import (
    BUILT_IN,
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


class KeptFindings(Protocol):
    """Where findings are kept between runs: JSON values by key (``definitions.content_cache``)."""

    def read(self, key: str) -> Any | None: ...

    def write(self, key: str, value: Any) -> None: ...


@dataclass(frozen=True)
class _Run:
    """What every rule of one evaluation shares."""

    enforcement: Enforcement
    stack: str | None
    variables: Mapping[str, Any]
    workflows: tuple[WorkflowRef, ...] = field(default_factory=tuple)
    kept: KeptFindings | None = None


def evaluate(
    subjects: Sequence[Subject],
    enforcement: Enforcement,
    *,
    stack: str | None,
    variables: Mapping[str, Any] | None = None,
    kept: KeptFindings | None = None,
) -> Outcome:
    """Every enforced rule over every subject, sorted into violations, exempted and issues.

    With ``kept``, what the content-only built-in rules found in a definition before is read
    back instead of found again, and what they find now is kept.
    """
    run = _Run(
        enforcement,
        stack,
        variables or {},
        tuple(WorkflowRef(s.name, s.definition) for s in subjects),
        kept,
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
    enforced = list(run.enforcement.enforced())
    kept = _kept_findings(subject, [known for known, _ in enforced if _keepable(known)], run)
    for known, level in enforced:
        found = kept.get(known.id)
        if found is None:
            found = rule_findings(known, subject.definition, _context(subject, known, run))
        for path, why in found:
            yield Violation(known, level, subject.name, path, why)


def _context(subject: Subject, known: Rule, run: _Run) -> RuleContext:
    return RuleContext(
        workflow=subject.name,
        stack=run.stack,
        options=run.enforcement.options[known.id],
        variables=run.variables,
        workflows=run.workflows,
        event_schema=subject.event_schema,
    )


def _keepable(known: Rule) -> bool:
    return known.content_only and known.source == BUILT_IN


def _kept_findings(subject: Subject, rules: Sequence[Rule], run: _Run) -> dict[str, list[Finding]]:
    """What ``rules`` find in the subject: read back from ``run.kept``, or found and kept there."""
    if run.kept is None or not rules:
        return {}
    key = _content_key(subject, rules, run.enforcement)
    if key is None:  # a definition JSON cannot hold: nothing to key it by
        return {}
    stored = _stored_findings(run.kept.read(key), rules)
    if stored is not None:
        return stored
    found = {
        known.id: rule_findings(known, subject.definition, _context(subject, known, run))
        for known in rules
    }
    run.kept.write(
        key, {rule_id: [list(pair) for pair in pairs] for rule_id, pairs in found.items()}
    )
    return found


def _content_key(subject: Subject, rules: Sequence[Rule], enforcement: Enforcement) -> str | None:
    """SHA-256 of everything the rules' findings depend on, with the package's source."""
    try:
        text = json.dumps(
            [
                subject.definition,
                subject.event_schema,
                [[known.id, enforcement.options[known.id]] for known in rules],
            ],
            sort_keys=True,
            separators=(",", ":"),
            allow_nan=False,
        )
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(_source_digest() + text.encode("utf-8")).hexdigest()


def _stored_findings(stored: Any, rules: Sequence[Rule]) -> dict[str, list[Finding]] | None:
    """A kept entry as findings by rule id, or None when it is not one for exactly ``rules``."""
    if not isinstance(stored, dict) or set(stored) != {known.id for known in rules}:
        return None
    findings: dict[str, list[Finding]] = {}
    for rule_id, items in stored.items():
        if not isinstance(items, list):
            return None
        pairs = [tuple(item) for item in items if isinstance(item, list)]
        if len(pairs) != len(items) or not all(_is_finding(pair) for pair in pairs):
            return None
        findings[rule_id] = pairs  # checked: (text, text) pairs
    return findings


@functools.cache
def _source_digest() -> bytes:
    """SHA-256 of every Python file of the package: a new version, or an edit of any rule or of
    what a rule calls, is a new key."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.digest()


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
    return f"fix the rule in {known.source}" if known.source != BUILT_IN else "report it"


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
