"""``doctor``: the SPEC's assumptions checked against the emulator, read-only or with a probe."""

from __future__ import annotations

import json
from typing import Any

from pulumi_thena.cli import EXIT_ERROR, EXIT_OK
from pulumi_thena.cli.doctor import PROBE_PREFIX, envelope_kind
from tests.cli.conftest import Project, seed_workflow


def _doctor(project: Project, *args: str) -> tuple[int, dict[str, Any]]:
    result = project.run("doctor", "--stack", "test", "--json", *args)
    return result.exit_code, json.loads(result.stdout)


def _verdicts(report: dict[str, Any]) -> dict[str, set[str]]:
    verdicts: dict[str, set[str]] = {}
    for finding in report["findings"]:
        verdicts.setdefault(finding["assumption"], set()).add(finding["verdict"])
    return verdicts


def test_read_only_checks_all_hold_on_the_emulator(project: Project) -> None:
    seed_workflow(project.emulator, name="One")
    seed_workflow(project.emulator, name="Two")
    before = project.emulator.control.counters()["byRoute"]
    code, report = _doctor(project)
    assert code == EXIT_OK, report
    verdicts = _verdicts(report)
    for assumption in ("U-1", "U-3 E1", "U-3 E4", "U-3 E9", "U-4", "U-7", "U-12", "U-13",
                       "U-14", "U-20"):  # fmt: skip
        assert verdicts[assumption] == {"held"}, assumption
    assert verdicts["U-11"] == {"not checked"} and verdicts["U-18"] == {"not checked"}
    after = project.emulator.control.counters()["byRoute"]
    writes = {k: v for k, v in after.items() if not k.startswith("GET") and v != before.get(k, 0)}
    assert writes == {}


def test_an_empty_org_checks_get_one_with_a_random_id(project: Project) -> None:
    code, report = _doctor(project)
    assert code == EXIT_OK
    get_one = next(f for f in report["findings"] if f["assumption"] == "U-4")
    assert get_one["verdict"] == "held" and "404 for a random id" in get_one["detail"]


def test_write_probe_checks_writes_and_leaves_nothing_behind(project: Project) -> None:
    code, report = _doctor(project, "--write-probe")
    assert code == EXIT_OK, report
    assert report["summary"] == {"held": len(report["findings"]), "did not hold": 0,
                                 "not checked": 0}  # fmt: skip
    verdicts = _verdicts(report)
    assert {"U-2", "U-3 E10", "U-8", "U-9", "U-11", "U-18", "P-1"} <= set(verdicts)
    statuses = next(f for f in report["findings"] if f["assumption"] == "U-2")
    assert statuses["detail"] == "create 201, PATCH 200, toggle 200, DELETE 200"
    leftovers = [
        w for w in project.emulator.control.workflows() if w["name"].startswith(PROBE_PREFIX)
    ]
    assert leftovers == []


def test_a_missing_route_does_not_hold_and_exits_1(project: Project) -> None:
    project.emulator.control.inject_fault(
        "GET", "/api/v1/workflows/filter-operators", "status", status=404
    )
    result = project.run("doctor", "--stack", "test")
    assert result.exit_code == EXIT_ERROR
    row = next(line for line in result.stdout.splitlines() if "filter-operators" in line)
    assert "did not hold" in row and "correct ApiPaths" in row
    assert "Correct the paths that did not hold in ApiPaths" in result.stdout


def test_the_probe_is_deleted_even_when_a_check_fails(project: Project) -> None:
    project.emulator.control.inject_fault(
        "POST", "/api/v1/workflows/*/toggle", "status", status=404
    )
    code, report = _doctor(project, "--write-probe")
    assert code == EXIT_ERROR
    assert "did not hold" in _verdicts(report)["U-3 E10"]
    assert "did not hold" in _verdicts(report)["U-2"]  # the toggle answered 404
    assert [
        w for w in project.emulator.control.workflows() if w["name"].startswith(PROBE_PREFIX)
    ] == []


def test_table_output(project: Project) -> None:
    result = project.run("doctor", "--stack", "test")
    assert result.exit_code == EXIT_OK
    assert "SPEC assumptions against http://127.0.0.1:" in result.stdout
    assert "needs --write-probe" in result.stdout
    assert "0 did not hold" in result.stdout


def test_envelope_kinds() -> None:
    assert envelope_kind([]) == "bare"
    assert envelope_kind({"data": []}) == "data"
    assert envelope_kind({"results": [1]}) == "results"
    assert envelope_kind({"uniqueIdentifier": "x"}) == "object"
    assert envelope_kind("text") == "other"
