"""The rule API: what a guardrail is, what it sees, and the one registry every rule joins.

A rule is a small function over one workflow's canonical definition (the API's camelCase wire
dict, steps ordered by ``stepIdentifier``, every secret standing as ``[secret]``) and a
``RuleContext`` (the stack's name and variables, the rule's options, every workflow the stack
deploys, the trigger event's schema). It returns ``(field path, why)`` pairs, the shape of the
lints of ``spec.lints``; an empty result means the workflow passes. Each rule has an id, a
description, a fix hint, the level it has when the stack says nothing, and its options with
their defaults::

    from pulumi_thena.guardrails import Level, rule

    @rule("ticket-team-tag", description="Every workflow says which team owns it.",
          fix="add metadata.team", options={"key": "team"})
    def ticket_team_tag(definition, context):
        if context.options["key"] not in definition.get("metadata", {}):
            yield "metadata", f"no metadata.{context.options['key']}"

    RULES = [ticket_team_tag]
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pulumi_thena.models.problems import closest

Finding = tuple[str, str]
"""One thing a rule finds: the field path in the definition, and why it is a problem."""

Check = Callable[[Mapping[str, Any], "RuleContext"], Iterable[Finding]]
"""A rule's function: (canonical definition, context) -> findings."""

RULE_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
MAX_ID_LENGTH = 64
OPTION_TYPES = (bool, int, float, str, list)
BUILT_IN = "built in"
"""``Rule.source`` of the package's own rules."""


class Level(StrEnum):
    """How a stack enforces a rule: CrossGuard's three words."""

    DISABLED = "disabled"
    ADVISORY = "advisory"
    MANDATORY = "mandatory"


LEVELS = tuple(level.value for level in Level)


class RuleDefinitionError(ValueError):
    """A rule that cannot be used: a bad id, a missing description or fix, a bad option."""


@dataclass(frozen=True)
class WorkflowRef:
    """One workflow of the stack as a rule sees the others: where it is, and its definition."""

    name: str
    """Its file (``stacks/workflows/x.yaml``), or its resource name in the policy pack."""
    definition: Mapping[str, Any]


@dataclass(frozen=True)
class RuleContext:
    """What a rule knows besides the definition it checks."""

    workflow: str
    """This workflow's file, or its resource name in the policy pack."""
    stack: str | None
    """The stack's name; None when ``validate`` checks files without one."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """The rule's options: its defaults, with what the stack (or the pack's config) sets."""
    variables: Mapping[str, Any] = field(default_factory=dict)
    """The stack's ``thena-workflows:vars``."""
    workflows: Sequence[WorkflowRef] = ()
    """Every workflow the stack deploys (this one included), in file order."""
    event_schema: Mapping[str, Any] | None = None
    """The trigger event's JSON Schema from the stack's registry snapshot, when there is one."""


@dataclass(frozen=True)
class Rule:
    """A named rule: what it checks, how to fix what it finds, and its defaults."""

    id: str
    description: str
    fix: str
    check: Check
    level: Level = Level.ADVISORY
    """The level when the stack does not set one."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Option names and their defaults; a stack may set each, with a value of the same type."""
    lint: bool = False
    """A lint of ``spec.lints``: valid, but it cannot do what it says."""
    source: str = BUILT_IN
    """Where the rule comes from: built in, or the module of the repository that defines it."""
    content_only: bool = False
    """What it finds depends on nothing but the definition, its options and the event's schema
    (not on the other workflows, the stack or its variables). A built-in rule that says so has
    its findings kept by content between runs (``enforce.evaluate``); a repository's rules always
    run."""

    def __post_init__(self) -> None:
        problems = list(_definition_problems(self))
        if problems:
            raise RuleDefinitionError(f"rule {self.id!r}: " + "; ".join(problems))
        object.__setattr__(self, "level", Level(self.level))
        object.__setattr__(self, "options", dict(self.options))


def _definition_problems(rule: Rule) -> Iterator[str]:
    if not isinstance(rule.id, str) or not RULE_ID.fullmatch(rule.id):
        yield "the id must be lowercase words joined by '-' (e.g. 'retry-on-external')"
    elif len(rule.id) > MAX_ID_LENGTH:
        yield f"the id is longer than {MAX_ID_LENGTH} characters"
    for name in ("description", "fix"):
        value = getattr(rule, name)
        if not isinstance(value, str) or not value.strip():
            yield f"'{name}' must be a non-empty text"
    if not callable(rule.check):
        yield "'check' must be a function (definition, context) -> [(path, why), ...]"
    elif not _takes_two_arguments(rule.check):
        yield "'check' must take two arguments: the definition and the context"
    if rule.level not in LEVELS:
        yield f"'level' must be one of {', '.join(LEVELS)}"
    if not isinstance(rule.options, Mapping):
        yield "'options' must be a mapping of option name to default value"
        return
    for name, default in rule.options.items():
        if not isinstance(name, str) or name == "level":
            yield f"option {name!r}: an option name is a text other than 'level'"
        elif not _is_option_value(default):
            yield (
                f"option {name!r}: the default must be a boolean, number, text or list of "
                f"those, not {type(default).__name__}"
            )


def _takes_two_arguments(check: Callable[..., Any]) -> bool:
    try:
        inspect.signature(check).bind(None, None)
    except TypeError:
        return False
    except ValueError:  # no signature to read (a builtin): let it be tried
        return True
    return True


def _is_option_value(value: Any) -> bool:
    if isinstance(value, list):
        return all(isinstance(item, bool | int | float | str) for item in value)
    return isinstance(value, OPTION_TYPES)


def content_only(*rules: Rule) -> tuple[Rule, ...]:
    """``rules`` marked ``content_only``: for the package's rules that read nothing else."""
    return tuple(dataclasses.replace(known, content_only=True) for known in rules)


def rule(
    id: str,
    *,
    description: str,
    fix: str,
    level: Level | str = Level.ADVISORY,
    options: Mapping[str, Any] | None = None,
) -> Callable[[Check], Rule]:
    """Make a ``Rule`` of the decorated function."""

    def make(check: Check) -> Rule:
        return Rule(id, description, fix, check, Level(level), dict(options or {}))

    return make


class RuleRegistry:
    """Every rule a stack knows, by id, in the order they were added: built in first."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: dict[str, Rule] = {}
        for added in rules:
            if added.id in self._rules:
                raise RuleDefinitionError(
                    f"rule {added.id!r} ({added.source}) has the id of a rule that exists "
                    f"already ({self._rules[added.id].source}); give it another id"
                )
            self._rules[added.id] = added

    def extended(self, rules: Iterable[Rule]) -> RuleRegistry:
        """A registry with ``rules`` after these; an id taken already is an error."""
        return RuleRegistry([*self._rules.values(), *rules])

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def get(self, rule_id: str) -> Rule | None:
        return self._rules.get(rule_id)

    def ids(self) -> tuple[str, ...]:
        return tuple(self._rules)

    def did_you_mean(self, rule_id: str) -> str:
        """``; did you mean 'retry-on-external'?``, or nothing when no id is close."""
        match = closest(rule_id, self._rules)
        return f"; did you mean '{match}'?" if match else ""

    def unknown(self, rule_id: str) -> str:
        """What to say about an id no rule has: the closest id, and every id."""
        hint = self.did_you_mean(rule_id) or "."
        return f"no rule is called '{rule_id}'{hint} Rules: {', '.join(self._rules)}"
