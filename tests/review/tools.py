"""The real renderers for the diagram tests: Graphviz's ``dot`` and Mermaid's CLI in Chromium.

Both come from outside Python (``scripts/install-review-tools``). Without them a test skips
and says how to install them; in CI (``CI`` or ``THENA_REQUIRE_RENDERERS`` set), where they are
installed, it fails instead, so that a broken install never passes as a skip.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import pytest

from pulumi_thena.review.graphviz import find_dot

REPO = Path(__file__).resolve().parents[2]
MMDC = REPO / ".tools" / "mermaid" / "node_modules" / ".bin" / "mmdc"
PUPPETEER_CONFIG = REPO / "scripts" / "mermaid" / "puppeteer-config.json"
BROWSERS = ("chromium", "google-chrome", "google-chrome-stable", "chromium-browser")
MMDC_TIMEOUT = 180
SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def _missing(message: str) -> None:
    if os.environ.get("CI") or os.environ.get("THENA_REQUIRE_RENDERERS"):
        pytest.fail(message)
    pytest.skip(message)


def require_dot() -> str:
    """Graphviz's ``dot``, or a skip (a failure in CI)."""
    found = find_dot()
    if found is None:
        _missing("Graphviz's `dot` is not installed: scripts/install-review-tools --system")
    assert found is not None
    return found


def find_browser() -> str | None:
    """The browser puppeteer should start: PUPPETEER_EXECUTABLE_PATH, else one on PATH."""
    configured = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def require_mermaid() -> tuple[str, str]:
    """Mermaid's CLI and a browser for it, or a skip (a failure in CI)."""
    browser = find_browser()
    if not MMDC.is_file():
        _missing(
            "Mermaid's CLI is not installed in .tools/mermaid: scripts/install-review-tools "
            "(needs npm)"
        )
    if browser is None:
        _missing(
            "no Chromium for Mermaid's CLI: scripts/install-review-tools --system (or set "
            "PUPPETEER_EXECUTABLE_PATH)"
        )
    assert browser is not None
    return str(MMDC), browser


def render_mermaid(sources: Sequence[str], workdir: Path) -> list[str]:
    """Each Mermaid source rendered to SVG by Mermaid itself, in one browser start.

    Fails with Mermaid's own message when any source does not parse or render.
    """
    mmdc, browser = require_mermaid()
    document = workdir / "diagrams.md"
    document.write_text(
        "".join(f"```mermaid\n{source}```\n\n" for source in sources), encoding="utf-8"
    )
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": browser}
    done = subprocess.run(
        [mmdc, "-p", str(PUPPETEER_CONFIG), "-i", str(document), "-o", str(workdir / "out.md")],
        capture_output=True,
        text=True,
        timeout=MMDC_TIMEOUT,
        env=env,
        check=False,
    )
    rendered = sorted(workdir.glob("out-*.svg"), key=lambda p: int(p.stem.split("-")[1]))
    if done.returncode != 0:
        pytest.fail(
            f"Mermaid could not render diagram {len(rendered) + 1} of {len(sources)}:\n"
            f"{done.stderr.strip()[:3000]}\n--- its source ---\n{sources[len(rendered)]}"
        )
    assert len(rendered) == len(sources), done.stdout
    return [path.read_text(encoding="utf-8") for path in rendered]


def render_dot(source: str, fmt: str) -> bytes:
    """``source`` rendered by Graphviz, failing with its message."""
    dot = require_dot()
    done = subprocess.run(
        [dot, f"-T{fmt}"], input=source.encode(), capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def mermaid_node_texts(svg: str) -> dict[str, str]:
    """Node id (as written in the source) -> the text its label shows, from Mermaid's SVG."""
    root = ET.fromstring(svg)
    texts = {}
    for group in root.iter(f"{SVG}g"):
        match = re.match(r"^.*?-flowchart-(.+)-\d+$", group.get("id", ""))
        if match and "node" in (group.get("class") or "").split():
            texts[match.group(1)] = _label_text(group)
    return texts


def mermaid_edge_texts(svg: str) -> list[str]:
    """The texts of the edge labels in Mermaid's SVG, in drawing order (empty ones left out)."""
    root = ET.fromstring(svg)
    found = []
    for group in root.iter(f"{SVG}g"):
        if "edgeLabel" in (group.get("class") or "").split():
            text = _label_text(group)
            if text:
                found.append(text)
    return found


def _label_text(element: ET.Element) -> str:
    """A label's text, one line per ``<br>`` (HTML labels) or per ``<tspan>`` row."""
    parts: list[str] = []

    def walk(node: ET.Element) -> None:
        if node.tag in (f"{XHTML}br", "br"):
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    for label in element.iter():
        if label.tag in (f"{SVG}foreignObject", "foreignObject"):
            walk(label)
            break
    return "".join(parts)


def dot_node_texts(svg: str) -> dict[str, list[str]]:
    """Node id -> the lines of text Graphviz drew in it, from its SVG."""
    root = ET.fromstring(svg)
    found = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node":
            title = group.find(f"{SVG}title")
            lines = [text.text or "" for text in group.iter(f"{SVG}text")]
            if title is not None and title.text:
                found[title.text] = lines
    return found
