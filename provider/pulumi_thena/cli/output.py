"""How commands print: rich tables and lines on stdout, warnings and progress on stderr, or JSON.

Progress bars show only on a terminal, and never with ``--json`` or ``--no-progress``. User
content is never read as rich markup (a ``[secret]``, ``[0]`` or ``[link=...]`` in a name stays
as written), and every text is made terminal-safe here, where it is written (control characters
and bidi overrides shown as escapes: see ``client.safe_text``), so that no command can print a
name or a message raw.
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

from pulumi_thena.client.safe_text import json_terminal_safe, terminal_safe

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
        document = json.dumps(payload, indent=2, ensure_ascii=False)
        self.out.file.write(json_terminal_safe(document) + "\n")

    def raw(self, document: str) -> None:
        """A document written as it is (Markdown for a pull request), no styling or wrapping."""
        self.out.file.write(document if document.endswith("\n") else document + "\n")

    def line(self, text: str = "", style: str | None = None) -> None:
        self.out.print(Text(terminal_safe(text), style=style or ""), soft_wrap=True)

    def text(self, text: Text) -> None:
        self.out.print(safe_rich_text(text), soft_wrap=True)

    def note(self, message: str) -> None:
        """A line for the reader on stderr, where it stays out of what stdout is piped to."""
        self.err.print(Text(terminal_safe(message)), soft_wrap=True)

    def warn(self, message: str) -> None:
        self.err.print(Text(f"warning: {terminal_safe(message)}", style="yellow"), soft_wrap=True)

    def table(
        self,
        title: str | None,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        no_wrap: Sequence[str] = (),
    ) -> None:
        """A table; ``no_wrap`` columns (ids, names of files) are never broken across lines."""
        shown_title = Text(terminal_safe(title)) if title is not None else None
        table = Table(title=shown_title, title_justify="left", show_edge=False, header_style="bold")
        for column in columns:
            table.add_column(Text(column), overflow="fold", no_wrap=column in no_wrap)
        for row in rows:
            table.add_row(*(safe_rich_text(_cell_text(cell)) for cell in row))
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


def safe_rich_text(text: Text) -> Text:
    """``text`` made terminal-safe, each part keeping its style."""
    plain = text.plain
    unsafe = [
        index for index, character in enumerate(plain) if terminal_safe(character) != character
    ]
    if not unsafe:
        return text
    offsets = sorted({bound for index in unsafe for bound in (index, index + 1)})
    safe = Text(style=text.style, justify=text.justify, overflow=text.overflow, end=text.end)
    safe.no_wrap = text.no_wrap
    for piece in text.divide(offsets):
        escaped = terminal_safe(piece.plain)
        if escaped != piece.plain:
            replacement = Text(escaped, style=piece.style)
            for span in piece.spans:
                replacement.stylize(span.style)
            piece = replacement
        safe.append_text(piece)
    return safe


def _cell_text(cell: Any) -> Text:
    return cell if isinstance(cell, Text) else Text(terminal_safe(_cell(cell)))


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
