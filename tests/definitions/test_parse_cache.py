"""Definition files parsed once per content: a second read comes from the cache, exactly."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from pulumi_thena.definitions import parse_cache
from pulumi_thena.definitions.errors import FileProblem
from pulumi_thena.definitions.parse_cache import read_definition_yaml
from pulumi_thena.definitions.yamlfile import YamlDocument, read_yaml
from tests.examples import EXAMPLE_WORKFLOWS

EXAMPLE = sorted(EXAMPLE_WORKFLOWS.glob("*.yaml"))[0]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(parse_cache.ENV, str(folder))
    return folder


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(parse_cache, "parse_yaml", refuse)


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.json")) if cache.is_dir() else []


def test_a_second_read_is_the_first_one_without_parsing(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wf.yaml"
    path.write_bytes(EXAMPLE.read_bytes())
    first = read_definition_yaml(path, "wf.yaml")
    assert isinstance(first, YamlDocument) and first == read_yaml(path, "wf.yaml")
    assert len(entries(cache)) == 1
    no_parsing(monkeypatch)
    again = read_definition_yaml(path, "wf.yaml")
    assert again == first
    assert again.line_of("workflowDefinition[0].activity") == first.line_of(
        "workflowDefinition[0].activity"
    )


def test_an_edited_file_is_parsed_again(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text("name: one\n")
    assert read_definition_yaml(path, "wf.yaml").data == {"name": "one"}  # type: ignore[union-attr]
    path.write_text("name: two\n")
    assert read_definition_yaml(path, "wf.yaml").data == {"name": "two"}  # type: ignore[union-attr]
    assert len(entries(cache)) == 2


def test_a_file_with_a_problem_is_never_stored(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text("a: 1\nb: [\n")
    for _ in range(2):
        problem = read_definition_yaml(path, "wf.yaml")
        assert isinstance(problem, FileProblem) and problem.line is not None
    path.write_text("a: &x 1\nb: *x\n")
    assert "anchors and aliases" in str(read_definition_yaml(path, "wf.yaml"))
    assert entries(cache) == []


@pytest.mark.parametrize(
    "text",
    ["1: one\n", "blob: !!binary aGVsbG8=\n", "tags: !!set {a, b}\n", "x: .nan\n"],
    ids=["int key", "bytes", "set", "nan"],
)
def test_data_json_cannot_hold_exactly_is_parsed_every_time(
    cache: Path, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(text)
    first = read_definition_yaml(path, "wf.yaml")
    assert entries(cache) == []
    assert read_definition_yaml(path, "wf.yaml") == first


def test_a_damaged_entry_is_a_miss_and_is_written_again(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text("name: one\nsteps: [1, 2]\n")
    first = read_definition_yaml(path, "wf.yaml")
    [entry] = entries(cache)
    for damage in ("{not json", json.dumps({"data": 1, "lines": {"": "one"}}), "[]"):
        entry.write_text(damage)
        assert read_definition_yaml(path, "wf.yaml") == first
        assert json.loads(entry.read_text())["data"] == {"name": "one", "steps": [1, 2]}


def test_a_change_of_the_loader_is_a_miss(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text("name: one\n")
    read_definition_yaml(path, "wf.yaml")
    monkeypatch.setattr(parse_cache, "_loader_digest", lambda: b"another loader")
    read_definition_yaml(path, "wf.yaml")
    assert len(entries(cache)) == 2


def test_off_writes_nothing_and_an_unwritable_folder_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text("name: one\n")
    monkeypatch.setenv(parse_cache.ENV, parse_cache.OFF)
    assert parse_cache.cache_dir() is None
    assert read_definition_yaml(path, "wf.yaml").data == {"name": "one"}  # type: ignore[union-attr]
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    monkeypatch.setenv(parse_cache.ENV, str(blocked / "cache"))
    assert read_definition_yaml(path, "wf.yaml").data == {"name": "one"}  # type: ignore[union-attr]


def test_the_default_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(parse_cache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert parse_cache.cache_dir() == tmp_path / "pulumi-thena" / "yaml"


def test_old_entries_are_removed_once_a_day(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text("name: one\n")
    read_definition_yaml(path, "wf.yaml")
    [kept] = entries(cache)
    stale = cache / ("0" * 64 + ".json")
    stale.write_text(json.dumps({"data": 1, "lines": {}}))
    long_ago = time.time() - (parse_cache.MAX_AGE_DAYS + 1) * 86_400
    os.utime(stale, (long_ago, long_ago))
    path.write_text("name: two\n")
    read_definition_yaml(path, "wf.yaml")  # pruned today already: the stale entry stays
    assert stale.exists()
    os.utime(cache / ".pruned", (long_ago, long_ago))
    path.write_text("name: three\n")
    read_definition_yaml(path, "wf.yaml")
    assert not stale.exists() and kept.exists()
