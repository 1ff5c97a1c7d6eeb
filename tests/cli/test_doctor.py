"""``doctor``: the SPEC's assumptions checked against the emulator, read-only or with a probe."""

from __future__ import annotations

import json
from typing import Any

from pulumi_thena.cli import EXIT_ERROR, EXIT_OK
from pulumi_thena.cli.findings import DoctorReport, Verdict, envelope_kind
from pulumi_thena.cli.probe import NO_AGENT, PROBE_PREFIX, WriteProbe
from pulumi_thena.client import ThenaClient
from tests.cli.conftest import Project, seed_workflow


def _doctor(project: Project, *args: str) -> tuple[int, dict[str, Any]]:
    result = project.run("doctor", "--stack", "test", "--json", *args)
    return result.exit_code, json.loads(result.stdout)


def _verdicts(report: dict[str, Any]) -> dict[str, set[str]]:
    verdicts: dict[str, set[str]] = {}
    for finding in report["findings"]:
        verdicts.setdefault(finding["assumption"], set()).add(finding["verdict"])
    return verdicts


def _finding(report: dict[str, Any], assumption: str) -> dict[str, str]:
    found: list[dict[str, str]] = [f for f in report["findings"] if f["assumption"] == assumption]
    assert len(found) == 1, found
    return found[0]


def _seed_two_teams(project: Project) -> None:
    """Two workflows of two teams; the newest (listed first) has a finished and a failed run."""
    seed_workflow(project.emulator, name="One", teamId="team-a")
    newest = seed_workflow(project.emulator, name="Two", teamId="team-b")
    project.emulator.control.seed(
        executions=[
            {"workflowId": newest["uniqueIdentifier"], "status": "FINISHED"},
            {"workflowId": newest["uniqueIdentifier"], "status": "FAILED"},
        ]
    )


def test_read_only_checks_all_hold_on_the_emulator(project: Project) -> None:
    _seed_two_teams(project)
    before = project.emulator.control.counters()["byRoute"]
    code, report = _doctor(project)
    assert code == EXIT_OK, report
    verdicts = _verdicts(report)
    for assumption in ("U-1", "U-3 E1", "U-3 E4", "U-3 E9", "U-4", "U-6", "U-7", "U-12", "U-13",
                       "U-14", "U-15", "U-20", "U-21"):  # fmt: skip
        assert verdicts[assumption] == {"held"}, assumption
    for assumption in ("U-2", "U-10", "U-11", "U-16", "U-18"):
        assert verdicts[assumption] == {"not checked"}, assumption
    assert _finding(report, "U-15")["detail"] == "seen: FAILED, FINISHED"
    assert _finding(report, "U-21")["detail"] == (
        "teamId=team-b: 1 listed, all of team-b; unfiltered: 2 teams"
    )
    registries = _finding(report, "U-6")["detail"]
    assert "org-wide" in registries and "for team-b" in registries
    after = project.emulator.control.counters()["byRoute"]
    writes = {k: v for k, v in after.items() if not k.startswith("GET") and v != before.get(k, 0)}
    assert writes == {}


def _answer_with(project: Project, path: str, body: Any, count: int = 1) -> None:
    """The next ``count`` GETs of ``path`` answer 200 with ``body`` as JSON."""
    project.emulator.control.inject_fault(
        "GET", path, "raw", count=count, status=200, body=json.dumps(body),
        contentType="application/json",
    )  # fmt: skip


def _did_not_hold(project: Project, assumption: str, *args: str) -> str:
    """Run doctor, which must exit 1 with ``assumption`` not held; that finding's detail."""
    code, report = _doctor(project, *args)
    assert code == EXIT_ERROR
    finding = _finding(report, assumption)
    assert finding["verdict"] == "did not hold", finding
    return finding["detail"]


def test_an_unknown_execution_status_does_not_hold(project: Project) -> None:
    workflow = seed_workflow(project.emulator, name="One")
    runs = [{"id": "r1", "workflowId": workflow["uniqueIdentifier"], "status": "COMPLETED"}]
    _answer_with(project, "/api/v1/workflows/executions", runs)
    detail = _did_not_hold(project, "U-15")
    assert detail == "also COMPLETED; the client keeps unknown statuses as text"


def test_a_team_filter_that_is_ignored_does_not_hold(project: Project) -> None:
    _seed_two_teams(project)
    # Every list GET of a read-only doctor run (the list, the page base's pages 0, 1 and 2, the
    # page after the first, the team filter) gets the whole org, as a server that ignores teamId
    # would answer.
    _answer_with(project, "/api/v1/workflows", project.emulator.control.workflows(), count=6)
    detail = _did_not_hold(project, "U-21")
    assert detail == "teamId=team-a: also teams team-b"  # the fake list: oldest first


def test_a_registry_that_requires_a_team_does_not_hold(project: Project) -> None:
    _seed_two_teams(project)
    project.emulator.control.inject_fault(
        "GET", "/api/v1/workflows/registry/events", "status", status=400
    )
    assert _did_not_hold(project, "U-6") == "E9 needs teamId (400 without it)"


def test_an_empty_org_checks_get_one_with_a_random_id(project: Project) -> None:
    code, report = _doctor(project)
    assert code == EXIT_OK
    get_one = next(f for f in report["findings"] if f["assumption"] == "U-4")
    assert get_one["verdict"] == "held" and "404 for a random id" in get_one["detail"]


def test_write_probe_checks_writes_and_leaves_nothing_behind(project: Project) -> None:
    code, report = _doctor(project, "--write-probe")
    assert code == EXIT_OK, report
    verdicts = _verdicts(report)
    not_checked = {a for a, v in verdicts.items() if v == {"not checked"}}
    assert not_checked == {"U-15", "U-21"}  # the empty org has no team and no runs
    assert report["summary"]["did not hold"] == 0
    assert {"U-2", "U-3 E10", "U-8", "U-9", "U-10", "U-11", "U-16", "U-18", "P-1"} <= set(verdicts)
    statuses = _finding(report, "U-2")
    assert statuses["detail"] == "create 201, PATCH 200, toggle 200, DELETE 200"
    assert _finding(report, "U-10")["detail"] == "400: executingAgent should not be empty"
    assert "version" in _finding(report, "U-16")["detail"]
    leftovers = [
        w for w in project.emulator.control.workflows() if w["name"].startswith(PROBE_PREFIX)
    ]
    assert leftovers == []


def test_a_refusal_with_another_status_does_not_hold(project: Project) -> None:
    project.emulator.control.inject_fault("POST", "/api/v1/workflows", "status", status=422)
    code, report = _doctor(project, "--write-probe")
    assert code == EXIT_ERROR
    finding = _finding(report, "U-10")
    assert finding["verdict"] == "did not hold"
    assert finding["detail"].endswith("; the client reads 400 and 422 alike")
    held = {f["assumption"] for f in report["findings"] if f["verdict"] == "held"}
    assert {"U-16", "U-2"} <= held  # the refusals' statuses are not U-2's


def test_a_create_the_api_accepts_against_the_spec_is_reported_and_deleted(
    project: Project,
) -> None:
    report = DoctorReport(project.emulator.base_url)
    with ThenaClient(project.emulator.base_url, project.emulator.api_key) as client:
        probe = WriteProbe(client, report)
        probe._refused("U-10", NO_AGENT, probe._body("-accepted"), "sends executingAgent")
        assert len(project.emulator.control.workflows()) == 1
        probe._delete()
    finding = report.findings[0]
    assert finding.verdict is Verdict.NOT_HELD
    assert finding.detail.startswith("accepted as ")
    assert finding.detail.endswith("(deleted again); the client sends executingAgent anyway, "
                                   "so nothing depends on the refusal")  # fmt: skip
    assert project.emulator.control.workflows() == []


def test_a_missing_route_does_not_hold_and_exits_1(project: Project) -> None:
    project.emulator.control.inject_fault(
        "GET", "/api/v1/workflows/filter-operators", "status", status=404
    )
    result = project.run("doctor", "--stack", "test")
    assert result.exit_code == EXIT_ERROR
    row = next(line for line in result.stdout.splitlines() if "filter-operators" in line)
    assert "did not hold" in row and "correct ApiPaths" in row
    assert "set the right one in thena:apiPaths" in result.stdout


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


def test_a_registry_path_that_is_wrong_leaves_the_scoping_unchecked(project: Project) -> None:
    _seed_two_teams(project)
    project.emulator.control.inject_fault(
        "GET", "/api/v1/workflows/registry/events", "status", count=2, status=404
    )
    code, report = _doctor(project)
    assert code == EXIT_ERROR
    assert _finding(report, "U-3 E9")["verdict"] == "did not hold"
    finding = _finding(report, "U-6")
    assert (finding["verdict"], finding["detail"]) == (
        "not checked",
        "E9 did not answer (see U-3 E9)",
    )


def test_a_probe_whose_create_answer_is_lost_is_found_by_name_and_deleted(
    project: Project,
) -> None:
    # The two refusals and the probe's own create are each made, then their answers dropped.
    project.emulator.control.inject_fault("POST", "/api/v1/workflows", "commit_then_drop", count=3)
    code, report = _doctor(project, "--write-probe")
    assert code == EXIT_ERROR
    assert _finding(report, "U-10")["verdict"] == "not checked"
    assert _finding(report, "probe")["verdict"] == "did not hold"
    deleted = _finding(report, "U-11")
    assert deleted["verdict"] == "held" and deleted["detail"].endswith(": 404")
    leftovers = [
        w for w in project.emulator.control.workflows() if w["name"].startswith(PROBE_PREFIX)
    ]
    assert leftovers == []


# -- U-24 page base, U-12 a capped limit, U-22 what an answer shows, --discover --------------


def test_a_service_that_pages_from_zero_does_not_hold(project: Project) -> None:
    _seed_two_teams(project)
    project.emulator.control.configure(page_base=0)
    detail = _did_not_hold(project, "U-24")
    assert detail.endswith("; it pages from 0 (the client detects it)")


def test_a_capped_limit_does_not_hold(project: Project) -> None:
    for index in range(5):
        seed_workflow(project.emulator, name=f"W{index}")
    project.emulator.control.configure(limit_cap=2)
    detail = _did_not_hold(project, "U-12")
    assert detail.startswith("limit=100 gave 2, and the next page 2 more: capped at 2")


def test_the_documented_answer_shape_is_read_back_as_sent(project: Project) -> None:
    project.emulator.control.configure(response_shape="documented")
    code, report = _doctor(project, "--write-probe")
    assert code == EXIT_OK, report
    shape = _finding(report, "U-22")
    assert shape["verdict"] == "held"
    assert shape["detail"].startswith("leaves out 2.requireApproval; fills 1.activity.name")
    assert "shows {} for 1.approver" in shape["detail"]
    assert [w for w in project.emulator.control.workflows() if w["name"].startswith("zz")] == []


def test_discover_without_an_openapi_document_checks_nothing(project: Project) -> None:
    code, report = _doctor(project, "--discover")
    assert code == EXIT_OK
    for number in ("U-3", "U-4", "U-5"):
        assert _verdicts(report)[number] >= {"not checked"}
    assert report["apiPaths"] is None
