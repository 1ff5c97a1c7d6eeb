"""What can go wrong comparing a live workflow with a definition.

UnreadableWorkflowError     the API: a live workflow the models cannot read (``.problems``)
"""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_thena.models import Problem


class UnreadableWorkflowError(ValueError):
    """A live workflow that cannot be read in the user's terms; it is never compared as it came."""

    def __init__(self, unique_identifier: str, name: str | None, problems: Sequence[Problem]):
        self.unique_identifier = unique_identifier
        self.problems = tuple(problems)
        shown = "; ".join(str(problem) for problem in self.problems[:3])
        more = f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else ""
        super().__init__(
            f"workflow {unique_identifier} ('{name or '?'}') as the API answers it cannot be "
            f"read: {shown}{more}. Check it in Thena; if the API answers in a shape this "
            "version does not know, `thena-workflows doctor --write-probe` shows which"
        )
