"""How commands print: rich tables and lines on stdout, warnings and progress on stderr, or JSON.

Progress bars show only on a terminal, and never with ``--json`` or ``--no-progress``. User
content is never read as rich markup (a ``[secret]`` or ``[0]`` in a message stays as written).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table
from rich.text import Text

# Pipes and CI logs get a wide console so that table cells are not cut mid-word.
PIPE_WIDTH = 160

Advance = Callable[[int], None]


def _console(stderr: bool) -> Console:
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(stderr=stderr, highlight=False, width=PIPE_WIDTH)
    return console


class Output:
    """The printing side of one command run."""

    def __init__(self, *, json_mode: bool = False, progress: bool = True) -> None:
        self.json_mode = json_mode
        self.out = _console(stderr=False)
        self.err = _console(stderr=True)
        self.show_progress = progress and not json_mode and self.err.is_terminal

    def json(self, payload: Any) -> None:
        """The machine-readable result (only in ``--json`` mode)."""
        self.out.file.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")

    def raw(self, document: str) -> None:
        """A document written as it is (Markdown for a pull request), no styling or wrapping."""
        self.out.file.write(document if document.endswith("\n") else document + "\n")

    def line(self, text: str = "", style: str | None = None) -> None:
        self.out.print(Text(text, style=style or ""), soft_wrap=True)

    def text(self, text: Text) -> None:
        self.out.print(text, soft_wrap=True)

    def warn(self, message: str) -> None:
        self.err.print(Text(f"warning: {message}", style="yellow"), soft_wrap=True)

    def table(
        self,
        title: str | None,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        no_wrap: Sequence[str] = (),
    ) -> None:
        """A table; ``no_wrap`` columns (ids, names of files) are never broken across lines."""
        table = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
        for column in columns:
            table.add_column(column, overflow="fold", no_wrap=column in no_wrap)
        for row in rows:
            table.add_row(*(cell if isinstance(cell, Text) else Text(_cell(cell)) for cell in row))
        self.out.print(table)

    @contextmanager
    def progress(self, description: str, total: int | None = None) -> Iterator[Advance]:
        """A transient progress bar (or spinner without a total); ``advance(n)`` moves it."""
        if not self.show_progress:
            yield _no_progress
            return
        columns = [SpinnerColumn(), TextColumn("{task.description}")]
        if total is not None:
            columns += [BarColumn(), MofNCompleteColumn()]
        with Progress(*columns, console=self.err, transient=True) as bar:
            task = bar.add_task(description, total=total)
            yield lambda steps: bar.advance(task, steps)


def _no_progress(_: int) -> None:
    return None


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def shown(value: Any, limit: int = 80) -> str:
    """A value as one short line for people: JSON, cut at ``limit`` characters."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."
