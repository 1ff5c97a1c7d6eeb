"""The body of a pull-request comment: a hidden marker, a title, the content, under GitHub's limit.

The first line is an HTML comment naming the comment's key (one per stack, e.g. ``dev``), so
the poster finds its own comment again and two stacks never share one. Content longer than
GitHub's limit of 65,536 characters is cut at a line, with a note at the top saying so and
where the whole text is; a code block open at the cut is closed, a Mermaid block is left out
whole (half a diagram does not render), and open ``<details>`` are closed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pulumi_thena.review.escape import html_comment_text, markdown_text

MAX_COMMENT_CHARS = 65_536
"""GitHub refuses a longer comment body ("Body is too long (maximum is 65536 characters)")."""
MARKER_NAME = "thena-workflows:comment"
_CLOSERS_RESERVE = 200
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)")


def marker(key: str) -> str:
    """The hidden first line of the comment for ``key``.

    For ``dev``: ``<!-- thena-workflows:comment dev -->``.
    """
    return f"<!-- {MARKER_NAME} {html_comment_text(key)} -->"


def is_marked(body: str, key: str) -> bool:
    """Whether ``body`` is the comment for ``key`` (its first line is the marker)."""
    return body.split("\n", 1)[0].rstrip("\r") == marker(key)


def code_block(text: str, info: str = "text") -> str:
    """``text`` as a fenced code block whose fence no line of ``text`` can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.rstrip(chr(10))}\n{fence}\n"


@dataclass(frozen=True)
class CommentBody:
    """What to post, and whether the content had to be cut to fit."""

    text: str
    truncated: bool
    content_chars: int


def comment_body(
    key: str,
    content: str,
    *,
    title: str | None = None,
    full_text_at: str | None = None,
    limit: int = MAX_COMMENT_CHARS,
) -> CommentBody:
    """The comment for ``key``: marker, optional title, ``content`` cut to fit ``limit``.

    ``full_text_at`` is Markdown saying where the uncut text is (an artifact of the run).
    """
    head = marker(key) + "\n"
    if title:
        head += f"### {markdown_text(title)}\n\n"
    whole = head + content
    if len(whole) <= limit:
        return CommentBody(whole, truncated=False, content_chars=len(content))
    note = _truncation_note(len(content), limit, full_text_at)
    budget = limit - len(head) - len(note) - _CLOSERS_RESERVE
    if budget <= 0:
        raise ValueError(f"a comment limit of {limit} characters leaves no room for content")
    kept = cut_markdown(content, budget)
    return CommentBody(head + note + kept, truncated=True, content_chars=len(content))


def _truncation_note(chars: int, limit: int, full_text_at: str | None) -> str:
    where = full_text_at or "the file the pipeline wrote (see the job's log)"
    return (
        f"> [!WARNING]\n> Cut to fit: the full text has {chars:,} characters and a comment "
        f"holds at most {limit:,}. The full text is in {where}.\n\n"
    )


def cut_markdown(content: str, budget: int) -> str:
    """The longest run of whole lines within ``budget``, closing what the cut leaves open."""
    kept: list[str] = []
    used = 0
    fence: tuple[str, str, int] | None = None  # (fence, info, index in kept of its first line)
    for line in content.splitlines(keepends=True):
        if used + len(line) > budget:
            break
        fence = _fence_after(line, fence, len(kept))
        kept.append(line)
        used += len(line)
    closers: list[str] = []
    if fence is not None:
        fence_text, info, start = fence
        if info == "mermaid":
            kept = kept[:start]
        else:
            closers.append(fence_text + "\n")
    text = "".join(kept)
    if text and not text.endswith("\n"):
        text += "\n"
    open_details = len(re.findall(r"<details\b", text)) - len(re.findall(r"</details>", text))
    closers += ["</details>\n"] * max(0, open_details)
    omitted = len(content) - len("".join(kept))
    return text + "".join(closers) + f"\n*... {omitted:,} more characters cut here.*\n"


def _fence_after(
    line: str, fence: tuple[str, str, int] | None, index: int
) -> tuple[str, str, int] | None:
    """The code fence open after ``line``: opened, closed, or unchanged by it."""
    match = _FENCE.match(line)
    if match is None:
        return fence
    marks = match.group(1)
    if fence is None:
        return (marks, match.group(2), index)
    opened = fence[0]
    closes = marks[0] == opened[0] and len(marks) >= len(opened) and not match.group(2)
    return None if closes else fence
