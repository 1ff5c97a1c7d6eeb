"""Placeholders in definition files: ``${var.NAME}`` and ``${secret.NAME}``, from stack config.

A string that is exactly one placeholder takes the value with its type (a number stays a
number); placeholders inside a longer string are interpolated as text. ``$${`` writes a
literal ``${``. Keys are never resolved. Secrets are allowed only in step inputs, because the
program stores ``workflowDefinition`` as a secret in state when a file uses one.

Resolution runs twice: once with every secret replaced by ``REDACTED`` (for validation, so that
no message can ever contain a secret), then with the real values once the file is valid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_thena.guardrails.credentials import REDACTED as REDACTED
from pulumi_thena.models.problems import Problem, closest

VARS_KEY = "thena-workflows:vars"
SECRETS_KEY = "thena-workflows:secrets"

_TOKEN = re.compile(r"\$(\$?)\{([^{}]*)\}")
_REFERENCE = re.compile(r"^(var|secret)\.([A-Za-z_][A-Za-z0-9_]*)$")
_SECRET_PLACES = re.compile(
    r"^workflowDefinition\[\d+\]\.(?:compensationActivity\.)?input(?:[.\[]|$)"
)


@dataclass(frozen=True)
class UnknownPlaceholder(Problem):
    """A placeholder whose name the stack does not have (``var.NAME`` or ``secret.NAME``).

    A mistake in the file, or, for a secret another stack sets, a stack not set up yet.
    """

    placeholder: str = ""


class _Unresolved:
    """A secret whose value is encrypted in the stack file and cannot be read here."""

    def __repr__(self) -> str:
        return "UNRESOLVED"


UNRESOLVED: Final = _Unresolved()
"""The value of a secret that exists but could not be decrypted; it stays a placeholder."""


@dataclass(frozen=True, repr=False)
class Substitutions:
    """The values placeholders resolve to: stack variables and (secret) stack secrets."""

    variables: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Substitutions(variables={sorted(self.variables)}, secrets={sorted(self.secrets)})"


@dataclass(frozen=True)
class Resolution:
    """The data with placeholders resolved, what was wrong, and where secrets went."""

    value: Any
    problems: list[Problem]
    secret_paths: list[str]


def resolve(data: Any, substitutions: Substitutions, *, reveal_secrets: bool) -> Resolution:
    """Resolve every placeholder in ``data``; secrets become ``REDACTED`` unless revealed.

    Data with no ``${`` anywhere is returned as it is (not copied): ``repr`` runs in C and shows
    every key and string, so one look spares walking the few hundred values of a file without
    placeholders, most files of a stack.
    """
    if "${" not in repr(data):
        return Resolution(data, [], [])
    resolver = _Resolver(substitutions, reveal_secrets)
    value = resolver.walk(data, "")
    return Resolution(value, resolver.problems, resolver.secret_paths)


def string_leaves(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string of a YAML document with its field path (``steps[1].input.text``)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from string_leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from string_leaves(value, f"{path}[{index}]")
    elif isinstance(data, str):
        yield path, data


def has_placeholder(text: str) -> bool:
    return _TOKEN.search(text) is not None


class _Resolver:
    def __init__(self, substitutions: Substitutions, reveal: bool) -> None:
        self.subs = substitutions
        self.reveal = reveal
        self.problems: list[Problem] = []
        self.secret_paths: list[str] = []

    def walk(self, value: Any, path: str) -> Any:
        if isinstance(value, dict):
            return {key: self._entry(key, item, path) for key, item in value.items()}
        if isinstance(value, list):
            return [self.walk(item, f"{path}[{index}]") for index, item in enumerate(value)]
        if isinstance(value, str):
            return self._string(value, path)
        return value

    def _entry(self, key: Any, item: Any, path: str) -> Any:
        where = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and has_placeholder(key):
            self.problems.append(
                Problem(where, "placeholders are not resolved in keys; use a fixed key here")
            )
        return self.walk(item, where)

    def _string(self, text: str, path: str) -> Any:
        matches = list(_TOKEN.finditer(text))
        if not matches:
            return text
        whole = matches[0]
        if len(matches) == 1 and whole.span() == (0, len(text)) and not whole.group(1):
            found, value = self._lookup(whole.group(2), path)
            return value if found else text
        return _TOKEN.sub(lambda match: self._interpolate(match, path), text)

    def _interpolate(self, match: re.Match[str], path: str) -> str:
        if match.group(1):
            return match.group(0)[1:]  # "$${x}" is the literal "${x}"
        found, value = self._lookup(match.group(2), path)
        if not found:
            return match.group(0)
        if value is None or isinstance(value, dict | list):
            kind = "null" if value is None else type(value).__name__
            self.problems.append(
                Problem(
                    path,
                    f"'${{{match.group(2)}}}' holds a {kind}, which cannot be put inside a "
                    "longer string; use the placeholder as the whole value or make it a string",
                )
            )
            return match.group(0)
        return value if isinstance(value, str) else json.dumps(value)

    def _lookup(self, reference: str, path: str) -> tuple[bool, Any]:
        parsed = _REFERENCE.match(reference.strip())
        if parsed is None:
            self.problems.append(
                Problem(
                    path,
                    f"'${{{reference}}}' is not a placeholder; write ${{var.NAME}} or "
                    "${secret.NAME}, or $${ for a literal ${",
                )
            )
            return False, None
        kind, name = parsed.groups()
        return self._variable(name, path) if kind == "var" else self._secret(name, path)

    def _variable(self, name: str, path: str) -> tuple[bool, Any]:
        if name in self.subs.variables:
            return True, self.subs.variables[name]
        self.problems.append(
            UnknownPlaceholder(
                path,
                f"unknown variable '{name}'{_hint(name, self.subs.variables)} "
                f"Known variables ({VARS_KEY}): {_listing(self.subs.variables)}. Fix the name, "
                f"or add it to the stack: `pulumi config set --path '{VARS_KEY}.{name}' <value>`",
                placeholder=f"var.{name}",
            )
        )
        return False, None

    def _secret(self, name: str, path: str) -> tuple[bool, Any]:
        if not _SECRET_PLACES.match(path):
            self.problems.append(
                Problem(
                    path,
                    f"secret '{name}' is used outside a step input; secrets are allowed only in "
                    "workflowDefinition[].input and workflowDefinition[].compensationActivity.input"
                    " (stored as secrets in state). Use ${var.NAME} here",
                )
            )
            return False, None
        if name not in self.subs.secrets:
            self.problems.append(
                UnknownPlaceholder(
                    path,
                    f"unknown secret '{name}'{_hint(name, self.subs.secrets)} "
                    f"Known secrets ({SECRETS_KEY}): {_listing(self.subs.secrets)}. Fix the name, "
                    "or set it in the stack: "
                    f"`pulumi config set --secret --path '{SECRETS_KEY}.{name}' <value>`",
                    placeholder=f"secret.{name}",
                )
            )
            return False, None
        self.secret_paths.append(path)
        value = self.subs.secrets[name]
        if not self.reveal:
            return True, REDACTED
        if value is UNRESOLVED:
            return True, f"${{secret.{name}}}"
        return True, value


def _hint(name: str, known: Mapping[str, Any]) -> str:
    match = closest(name, known)
    return f"; did you mean '{match}'?" if match else "."


def _listing(known: Mapping[str, Any]) -> str:
    return ", ".join(sorted(known)) if known else "none"
