"""docs/semantics.md names, for each choice, a test of tests/spec that exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "semantics.md"


def defined_tests() -> set[str]:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests/spec").glob("*.py"))
    return set(re.findall(r"^def (test_\w+)", source, flags=re.MULTILINE))


def test_every_test_the_page_names_exists() -> None:
    named = set(re.findall(r"`(test_\w+)`", PAGE.read_text(encoding="utf-8")))
    assert len(named) >= 40
    assert named - defined_tests() == set()


def test_every_test_file_the_page_links_exists() -> None:
    links = re.findall(r"\]\((\.\./tests/spec/[\w.]+)\)", PAGE.read_text(encoding="utf-8"))
    assert links and all((PAGE.parent / link).is_file() for link in links)
