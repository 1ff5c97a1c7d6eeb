"""The ``pulumi new`` template directory, generated from the scaffold so that the two agree.

``templates/thena-workflows/`` in pulumi-thena's repository holds the files ``thena-workflows
init`` writes for the default environments (dev, prod), with ``${PROJECT}`` and
``${DESCRIPTION}`` for ``pulumi new`` to fill, a ``template:`` section in ``Pulumi.yaml``, and no
``stacks/.venv`` link (``pulumi new`` copies files only; the README says to make it).

``scripts/generate-template [--check] [DIRECTORY]`` (``main`` here) writes, or checks, it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from pulumi_thena.scaffold.render import ScaffoldOptions, render_scaffold

TEMPLATE_DIR = "templates/thena-workflows"


def template_files() -> dict[str, str]:
    """The template directory's files, by POSIX path: the scaffold as ``pulumi new`` takes it."""
    options = ScaffoldOptions(project="${PROJECT}", for_pulumi_new=True)
    return {file.path: file.text for file in render_scaffold(options) if file.link is None}


def _on_disk(directory: Path) -> dict[str, str]:
    if not directory.is_dir():
        return {}
    return {
        path.relative_to(directory).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(directory.rglob("*"))
        if path.is_file() or path.is_symlink()
    }


def differences(directory: Path, wanted: dict[str, str]) -> list[str]:
    """What differs between ``directory`` and ``wanted``: one line per file, empty when equal."""
    current = _on_disk(directory)
    found = [f"{name}: missing" for name in sorted(wanted.keys() - current.keys())]
    found += [f"{name}: not part of the scaffold" for name in sorted(current.keys() - wanted)]
    found += [
        f"{name}: differs from the scaffold"
        for name in sorted(wanted.keys() & current.keys())
        if wanted[name] != current[name]
    ]
    return found


def write_template(directory: Path, wanted: dict[str, str]) -> None:
    """Make ``directory`` hold exactly ``wanted``."""
    for name in differences(directory, wanted):
        path = directory / PurePosixPath(name.split(": ", 1)[0])
        if name.endswith("not part of the scaffold"):
            path.unlink()
    for name, text in wanted.items():
        path = directory / PurePosixPath(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Write the template directory, or with --check report whether it is current (exit 1)."""
    parser = argparse.ArgumentParser(prog="scripts/generate-template", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the directory is stale")
    parser.add_argument("project_dir", nargs="?", default=".", type=Path)
    args = parser.parse_args(argv)
    directory = args.project_dir / TEMPLATE_DIR
    wanted = template_files()
    found = differences(directory, wanted)
    if args.check:
        if not found:
            print(f"{TEMPLATE_DIR} is up to date")
            return 0
        for line in found:
            print(f"{TEMPLATE_DIR}/{line}", file=sys.stderr)
        print(f"{TEMPLATE_DIR} is out of date; run scripts/generate-template", file=sys.stderr)
        return 1
    write_template(directory, wanted)
    print(f"{TEMPLATE_DIR} {'unchanged' if not found else 'written'}")
    return 0
