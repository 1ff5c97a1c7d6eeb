"""Shell blocks and YAML blocks of the project's Markdown, as a newcomer would copy them."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.S | re.M)


def blocks(document: str, language: str, *, under: str | None = None) -> list[str]:
    """The fenced blocks of ``language`` in ``document`` (a path under the repository), in order;
    with ``under``, only those of the section whose heading is ``under``."""
    text = (REPO / document).read_text(encoding="utf-8")
    if under is not None:
        start = text.index(f"\n{under}\n")
        level = under.split(" ", 1)[0]
        rest = text[start + len(under) + 2 :]
        end = re.search(rf"^{level} ", rest, re.M)
        text = rest[: end.start()] if end else rest
    found = []
    for indent, lang, body in _FENCE.findall(text):
        if lang == language:
            found.append("\n".join(line.removeprefix(indent) for line in body.splitlines()))
    return found


def commands(block: str) -> list[str]:
    """The commands of a shell block, without comments and blank lines."""
    lines = [line.split("  #", 1)[0].rstrip() for line in block.splitlines()]
    return [line for line in lines if line and not line.lstrip().startswith("#")]
