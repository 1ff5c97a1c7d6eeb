"""The spec package imports only the standard library and itself, so the emulator can share it."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SPEC_DIR = Path(__file__).resolve().parents[2] / "provider" / "pulumi_thena" / "spec"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


def foreign(module: str) -> bool:
    if module.startswith("pulumi_thena.spec.") or module == "__future__":
        return False
    return module.startswith(".") or module.split(".")[0] not in sys.stdlib_module_names


def test_every_spec_module_imports_only_the_standard_library_and_spec() -> None:
    modules = sorted(SPEC_DIR.glob("*.py"))
    assert len(modules) >= 10
    offenders = {path.name: sorted(filter(foreign, imported_modules(path))) for path in modules}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_check_sees_a_foreign_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import json\nfrom pydantic import BaseModel\nfrom . import x\n")
    assert sorted(filter(foreign, imported_modules(module))) == [".", "pydantic"]
