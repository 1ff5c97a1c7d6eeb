"""The import map of docs/design.md, read from the source: imports flow one way.

    spec <- models <- client <- diff <- resources <- guardrails <- definitions <- review
        <- scaffold <- cli

A package may import its own modules and those of the packages to its left, never to its right.
``spec`` imports only the standard library. The emulator stands apart: it imports only itself
and ``spec``. Only ``client`` (and ``testing``, the pytest fixture over the emulator and the
client) imports httpx. Every import counts, also those inside functions and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "provider" / "pulumi_thena"
LAYERS = (
    "spec",
    "models",
    "client",
    "diff",
    "resources",
    "guardrails",
    "definitions",
    "review",
    "scaffold",
    "cli",
)
HTTPX_ALLOWED = {"client", "testing"}


def _modules() -> Iterator[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))


def _imported(path: Path) -> Iterator[tuple[int, str]]:
    """Each module name ``path`` imports, with the line, resolving relative imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield node.lineno, name
            for alias in node.names:  # `from pulumi_thena import models` imports a package
                if name == "pulumi_thena":
                    yield node.lineno, f"pulumi_thena.{alias.name}"


def _package_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0].removesuffix(".py") if parts else ""


def _target(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "pulumi_thena" else None


def _violations() -> list[str]:
    found = []
    for path in _modules():
        own = _package_of(path)
        for line, name in _imported(path):
            target = _target(name)
            where = f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
            if name.split(".")[0] == "httpx" and own not in HTTPX_ALLOWED:
                found.append(f"{where} (only client/ talks HTTP)")
            outside = name.split(".")[0] not in (*sys.stdlib_module_names, "__future__")
            if own == "spec" and outside and target != "spec":
                found.append(f"{where} (spec/ imports the standard library only)")
            if own in LAYERS and target in LAYERS and LAYERS.index(target) > LAYERS.index(own):
                found.append(f"{where} ({target} sits above {own})")
            if own == "emulator" and target not in (None, "emulator", "spec"):
                found.append(f"{where} (the emulator imports only itself and spec/)")
    return found


def test_imports_flow_one_way() -> None:
    assert _violations() == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from pulumi_thena.cli import app\n", "(cli sits above models)"),
        ("import httpx\n", "(only client/ talks HTTP)"),
    ],
)
def test_the_check_sees_a_wrong_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, expected: str
) -> None:
    _check_fake("models", source, expected, tmp_path, monkeypatch)


def test_the_check_sees_the_emulator_import_the_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = "from pulumi_thena.models import WorkflowStep\n"
    _check_fake(
        "emulator", source, "(the emulator imports only itself and spec/)", tmp_path, monkeypatch
    )


def _check_fake(
    package: str, source: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "pulumi_thena"
    (fake / package).mkdir(parents=True)
    (fake / package / "bad.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    [violation] = _violations()
    assert violation.endswith(expected)
