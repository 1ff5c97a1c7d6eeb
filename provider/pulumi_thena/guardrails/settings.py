"""A stack's ``thena-workflows:guardrails``: which rules it enforces, how, with which options.

    thena-workflows:guardrails:
      modules: [guardrails/ours.py]             the repository's own rules (guardrails.modules)
      rules:
        retry-on-external: mandatory            disabled | advisory | mandatory
        max-steps: {level: mandatory, maximum: 12}
        workflow-names: {maxLength: 80}         options only: the rule keeps its own level

A rule the setting does not name keeps its own level (``Rule.level``) and option defaults.
Parsing needs no rule (``parse_guardrail_settings``); checking rule ids and options needs the
stack's registry, built-in rules and the modules' (``resolve_enforcement``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_thena.guardrails.registry import LEVELS, Level, Rule, RuleRegistry
from pulumi_thena.models.problems import Problem, closest

SHAPE = (
    "an object {modules: [<file.py>, ...], rules: {<rule id>: disabled|advisory|mandatory, or "
    "{level: ..., <option>: <value>}}}"
)
KEYS = ("modules", "rules")


@dataclass(frozen=True)
class RuleSetting:
    """What a stack says of one rule: a level (None: the rule's own) and options."""

    level: Level | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GuardrailSettings:
    """The parsed setting; rule ids and options are checked against a registry later."""

    modules: tuple[str, ...] = ()
    rules: Mapping[str, RuleSetting] = field(default_factory=dict)


def parse_guardrail_settings(value: Any) -> tuple[GuardrailSettings, list[Problem]]:
    """The setting's shape; a wrong part is reported and left out, not the others."""
    if value is None:
        return GuardrailSettings(), []
    if not isinstance(value, Mapping):
        return GuardrailSettings(), [Problem("", f"must be {SHAPE}")]
    problems = [
        Problem(str(key), _unknown_word("key", str(key), KEYS)) for key in value if key not in KEYS
    ]
    modules = _modules(value.get("modules"), problems)
    rules = dict(_rules(value.get("rules"), problems))
    return GuardrailSettings(modules, rules), problems


def _unknown_word(kind: str, word: str, known: tuple[str, ...]) -> str:
    match = closest(word, known)
    hint = f"; did you mean '{match}'?" if match else "."
    return f"unknown {kind}{hint} Known: {', '.join(known)}"


def _modules(value: Any, problems: list[Problem]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(Problem("modules", "must be a list of Python files of the repository"))
        return ()
    paths = []
    for index, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            paths.append(item)
        else:
            problems.append(
                Problem(f"modules[{index}]", "must be the path of a .py file, from the project")
            )
    return tuple(paths)


def _rules(value: Any, problems: list[Problem]) -> Iterator[tuple[str, RuleSetting]]:
    if value is None:
        return
    if not isinstance(value, Mapping):
        problems.append(
            Problem("rules", "must be an object of <rule id>: <level> or {level, options}")
        )
        return
    for rule_id, entry in value.items():
        where = f"rules.{rule_id}"
        if entry is None or isinstance(entry, str):
            yield str(rule_id), RuleSetting(_level(entry, where, problems))
        elif isinstance(entry, Mapping):
            level = _level(entry.get("level"), f"{where}.level", problems)
            options = {str(k): v for k, v in entry.items() if k != "level"}
            yield str(rule_id), RuleSetting(level, options)
        else:
            problems.append(
                Problem(where, f"must be one of {', '.join(LEVELS)}, or {{level, <option>: ...}}")
            )


def _level(value: Any, where: str, problems: list[Problem]) -> Level | None:
    if value is None:
        return None
    if isinstance(value, str) and value in LEVELS:
        return Level(value)
    match = closest(str(value), LEVELS)
    hint = f"; did you mean '{match}'?" if match else ""
    problems.append(Problem(where, f"must be one of {', '.join(LEVELS)} (got {value!r}){hint}"))
    return None


@dataclass(frozen=True)
class Enforcement:
    """Every rule of a stack's registry with its level and options."""

    registry: RuleRegistry
    levels: Mapping[str, Level]
    options: Mapping[str, Mapping[str, Any]]

    def level(self, rule_id: str) -> Level:
        return self.levels[rule_id]

    def enforced(self) -> Iterator[tuple[Rule, Level]]:
        """The rules that are not disabled, in registry order, with their levels."""
        for known in self.registry:
            level = self.levels[known.id]
            if level is not Level.DISABLED:
                yield known, level


def resolve_enforcement(
    settings: GuardrailSettings, registry: RuleRegistry
) -> tuple[Enforcement, list[Problem]]:
    """Levels and options of every rule; an unknown rule id or option is a problem."""
    problems: list[Problem] = []
    levels = {known.id: known.level for known in registry}
    options = {known.id: dict(known.options) for known in registry}
    for rule_id, setting in settings.rules.items():
        known = registry.get(rule_id)
        if known is None:
            problems.append(Problem(f"rules.{rule_id}", registry.unknown(rule_id)))
            continue
        if setting.level is not None:
            levels[rule_id] = setting.level
        for name, value in setting.options.items():
            problem = option_problem(known, name, value)
            if problem is None:
                options[rule_id][name] = value
            else:
                problems.append(Problem(f"rules.{rule_id}.{name}", problem))
    return Enforcement(registry, levels, options), problems


def option_problem(known: Rule, name: str, value: Any) -> str | None:
    """Why ``value`` cannot be the rule's option ``name``; None when it can."""
    if name not in known.options:
        if not known.options:
            return f"rule '{known.id}' has no options; only 'level' can be set"
        match = closest(name, known.options)
        hint = f"; did you mean '{match}'?" if match else "."
        return f"rule '{known.id}' has no option '{name}'{hint} Options: " + ", ".join(
            known.options
        )
    default = known.options[name]
    if not _same_kind(default, value):
        return f"must be {_kind(default)}, like its default {default!r} (got {value!r})"
    return None


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float) and (
            isinstance(default, float) or float(value).is_integer()
        )
    if isinstance(default, list):
        if not isinstance(value, list):
            return False
        return all(
            isinstance(item, bool | int | float | str)
            and (not default or _same_kind(default[0], item))
            for item in value
        )
    return isinstance(value, type(default))


def _kind(default: Any) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "a whole number"
    if isinstance(default, float):
        return "a number"
    if isinstance(default, list):
        return "a list"
    return "a text"
