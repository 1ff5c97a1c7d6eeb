"""What can be wrong with definition files and stack settings, and the one error that reports it.

    pulumi.RunError                 `pulumi up` prints its message without a traceback
    └── DefinitionLoadError         the user: files or stack settings are wrong (``.problems``)
    ProjectError                    the user: no such stack, folder or file in the project
    MappingError                    the user: an export variable mapping cannot be used

Every problem names the file, the field path and what to do, and never holds a secret's value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class FileProblem:
    """One thing wrong in one file: where (file, field path, line) and what to do about it."""

    file: str
    path: str
    message: str
    line: int | None = None
    placeholder: str | None = None
    """``var.NAME`` or ``secret.NAME``, when the problem is a name the stack does not have."""

    def __str__(self) -> str:
        if not self.path:
            where = f"line {self.line}" if self.line else "(whole file)"
            return f"{self.file}: {where}: {self.message}"
        at_line = f" (line {self.line})" if self.line else ""
        return f"{self.file}: {self.path}: {self.message}{at_line}"


class DefinitionLoadError(pulumi.RunError):
    """Definition files or stack settings are wrong; the message has one line per problem."""

    def __init__(self, problems: Iterable[FileProblem]) -> None:
        self.problems: tuple[FileProblem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def raise_if_any(problems: Iterable[FileProblem]) -> None:
    """Raise one DefinitionLoadError carrying every problem, if there is any."""
    collected = list(problems)
    if collected:
        raise DefinitionLoadError(collected)


class ProjectError(Exception):
    """The project has no such stack, folder or file; the message names it and what to do."""


class MappingError(ValueError):
    """The variable mapping file cannot be used; ``problems`` says why, one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))
