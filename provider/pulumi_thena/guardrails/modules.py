"""A repository's own rules: Python files named in ``thena-workflows:guardrails.modules``.

Each file is read from inside the project (a path that leaves it, or a link out of it, is
refused), imported under a name of its own, and must define ``RULES``: a list of ``Rule``
(made with ``@rule``). Anything that goes wrong is a problem naming the setting's entry, the
file and what to do; nothing a module does can stop the other modules or the built-in rules from
loading. A module is code of the repository, run where ``validate``, ``plan`` and the Pulumi
program run: it is trusted as ``stacks/__main__.py`` is.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from pulumi_thena.guardrails.registry import Rule, RuleDefinitionError
from pulumi_thena.models.problems import Problem

RULES_NAME = "RULES"
_PACKAGE = "_thena_workflows_guardrails"


def load_rule_modules(paths: Sequence[str], root: Path) -> tuple[list[Rule], list[Problem]]:
    """The rules of each module, in order; a module that cannot be used adds a problem."""
    rules: list[Rule] = []
    problems: list[Problem] = []
    for index, written in enumerate(paths):
        where = f"modules[{index}]"
        path = _inside(written, root)
        if isinstance(path, str):
            problems.append(Problem(where, path))
            continue
        loaded = _import(path, written)
        if isinstance(loaded, str):
            problems.append(Problem(where, loaded))
            continue
        found, wrong = _rules_of(loaded, written)
        rules += found
        problems += [Problem(where, message) for message in wrong]
    return rules, problems


def _inside(written: str, root: Path) -> Path | str:
    """The module's file, or why it cannot be read."""
    project = root.resolve()
    candidate = Path(written)
    if candidate.is_absolute():
        return f"'{written}' is an absolute path; give the file's path from the project directory"
    path = (project / candidate).resolve()
    if not path.is_relative_to(project):
        return f"'{written}' is outside the project; rules are read from the repository only"
    if path.suffix != ".py":
        return f"'{written}' is not a Python file (.py)"
    if not path.is_file():
        return f"'{written}' does not exist (looked for {path.relative_to(project).as_posix()})"
    return path


def _import(path: Path, written: str) -> ModuleType | str:
    """The module, imported afresh under a name of its own; or why it does not import."""
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    name = f"{_PACKAGE}.{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return f"'{written}' cannot be imported as a Python module"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and typing look a module up by its name
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as error:
        sys.modules.pop(name, None)
        return f"'{written}' does not import: {_described(error, path)}; fix the module"
    return module


def _described(error: BaseException, path: Path) -> str:
    """``ZeroDivisionError: division by zero (line 12)``: the error and the module's line."""
    lines = [f.lineno for f in traceback.extract_tb(error.__traceback__) if f.filename == str(path)]
    if isinstance(error, SyntaxError) and error.lineno is not None:
        lines.append(error.lineno)
    at = f" (line {lines[-1]})" if lines else ""
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}{': ' + text if text else ''}{at}"


def _rules_of(module: ModuleType, written: str) -> tuple[list[Rule], list[str]]:
    declared = getattr(module, RULES_NAME, None)
    if declared is None:
        return [], [
            f"'{written}' defines no {RULES_NAME}; end it with `{RULES_NAME} = [<rule>, ...]`, "
            "each rule made with @rule (see docs/guardrails.md)"
        ]
    if not isinstance(declared, list | tuple):
        kind = type(declared).__name__
        return [], [f"'{written}': {RULES_NAME} is a {kind}; make it a list of rules"]
    rules, problems = [], []
    for index, item in enumerate(declared):
        if not isinstance(item, Rule):
            problems.append(
                f"'{written}': {RULES_NAME}[{index}] is a {type(item).__name__}, not a Rule; "
                "make it with @rule(...) from pulumi_thena.guardrails"
            )
            continue
        try:
            rules.append(dataclasses.replace(item, source=written, lint=False))
        except RuleDefinitionError as error:  # pragma: no cover - a Rule was checked when made
            problems.append(f"'{written}': {error}")
    return rules, problems
