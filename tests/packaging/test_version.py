"""One version everywhere: pyproject.toml, the installed metadata, ``--version``, the CHANGELOG
and the install commands of docs/adopt.md."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import pytest
from click.testing import CliRunner

from pulumi_thena.cli import cli
from tests.docs.markdown import REPO

RELEASE_HEADING = re.compile(r"^## (\d+\.\d+\.\d+\S*) \((\d{4}-\d{2}-\d{2})\)$", re.M)


def _pyproject_version() -> str:
    with (REPO / "pyproject.toml").open("rb") as handle:
        version: str = tomllib.load(handle)["project"]["version"]
    return version


def test_pyproject_metadata_cli_and_changelog_agree() -> None:
    version = _pyproject_version()
    installed = metadata.version("pulumi-thena")
    assert installed == version, (
        f"the installed pulumi-thena is {installed}, pyproject.toml says {version}: run "
        "scripts/setup to reinstall"
    )
    shown = CliRunner().invoke(cli, ["--version"]).stdout
    assert shown == f"thena-workflows, version {version}\n"
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = RELEASE_HEADING.findall(changelog)
    assert releases, "CHANGELOG.md has no release heading '## X.Y.Z (YYYY-MM-DD)'"
    assert releases[0][0] == version, "the newest release in CHANGELOG.md is not pyproject's"


@pytest.mark.parametrize("document", ["docs/adopt.md", "README.md"])
def test_the_docs_install_the_current_version(document: str) -> None:
    version = _pyproject_version()
    text = (REPO / document).read_text(encoding="utf-8")
    pins = re.findall(r"pulumi-thena==([0-9][^\s\"'`]*)", text)
    files = re.findall(r"pulumi_thena-([0-9][0-9a-z.]*[0-9])[-.]", text)
    assert pins, f"{document} pins no pulumi-thena version"
    assert set(pins) | set(files) == {version}


def test_the_changelog_heading_check_sees_a_mismatch() -> None:
    text = "# Changelog\n\n## Unreleased\n\n## 9.9.9 (2027-01-01)\n\n## 0.1.0 (2026-11-28)\n"
    assert RELEASE_HEADING.findall(text)[0] == ("9.9.9", "2027-01-01")
