"""libyaml and the pure-Python parser read a definition file the same way."""

from __future__ import annotations

import pytest
import yaml

from pulumi_thena.definitions import yamlfile
from pulumi_thena.definitions.yamlfile import StrictLoader, parse_yaml
from tests.examples import EXAMPLE_WORKFLOWS

TEXTS = {p.name: p.read_text(encoding="utf-8") for p in sorted(EXAMPLE_WORKFLOWS.glob("*.yaml"))}
TEXTS["scalars.yaml"] = "a: yes\nb: on\nc: 2026-12-01\nd: true\ne: 1.0\nf: ~\n"


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")
@pytest.mark.parametrize("name", list(TEXTS))
def test_both_parsers_give_the_same_data_and_lines(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = parse_yaml(TEXTS[name], name)
    assert yamlfile.LOADER is not StrictLoader
    monkeypatch.setattr(yamlfile, "LOADER", StrictLoader)
    slow = parse_yaml(TEXTS[name], name)
    assert fast == slow
    if name == "scalars.yaml":
        assert fast.data == {
            "a": "yes",
            "b": "on",
            "c": "2026-12-01",
            "d": True,
            "e": 1.0,
            "f": None,
        }


def test_a_duplicate_key_is_refused_by_either_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    for loader in {yamlfile.LOADER, StrictLoader}:
        monkeypatch.setattr(yamlfile, "LOADER", loader)
        problem = parse_yaml("a: 1\nb: 2\na: 3\n", "dup.yaml")
        assert "key 'a' appears twice" in str(problem), loader
