"""Guardrails: rules a stack enforces on every workflow, in validate, plan, the program and
``pulumi preview --policy-pack`` (docs/guardrails.md).

    registry.py   the rule API (Rule, @rule, RuleContext, Level) and the registry of a stack
    builtin.py    the built-in rules;  lints.py  the lints of spec.lints as rules
    settings.py   thena-workflows:guardrails of a stack: levels and options
    modules.py    a repository's own rules, from the modules the setting names
    enforce.py    running the rules: violations by level, exemptions
    crossguard.py the same rules as a CrossGuard policy pack (pack/: the pack's directory)

What a repository's rule module needs is exported here.
"""

from pulumi_thena.guardrails.registry import (
    Finding,
    Level,
    Rule,
    RuleContext,
    RuleDefinitionError,
    WorkflowRef,
    rule,
)

__all__ = [
    "Finding",
    "Level",
    "Rule",
    "RuleContext",
    "RuleDefinitionError",
    "WorkflowRef",
    "rule",
]
