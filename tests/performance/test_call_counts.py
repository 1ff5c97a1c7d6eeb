"""API calls per engine operation, exactly: the real pulumi CLI, 20 workflows over two teams.

One lifecycle, in file order, through ``benchmarks.sequence`` (the benchmark's own project,
emulator and operations): initial up, no-op preview and up, 10% edited, 10% flipped, refresh,
destroy. Call counts are deterministic, so each is asserted exactly; times are not asserted.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmarks import floors
from benchmarks.floors import ACTIVITIES, CREATE, DELETE, EVENTS, LIST, OPERATORS, PATCH, TOGGLE
from benchmarks.project import BenchProject
from benchmarks.sequence import SequenceConfig, emulated_project, engine_args, prepare
from pulumi_thena.testing import EmulatorControl
from tests.e2e.engine import require_pulumi

pytestmark = pytest.mark.e2e

COUNT = 20
TEAMS = 2  # workflow i belongs to team i % 2
K = floors.changed(COUNT)  # 2: files 0 and 10 are edited (team 0), 5 and 15 flipped
Lifecycle = tuple[BenchProject, EmulatorControl]


@pytest.fixture(scope="module")
def lifecycle() -> Iterator[Lifecycle]:
    config = SequenceConfig(require_pulumi(), COUNT, latency_ms=0, teams=TEAMS)
    with emulated_project(config) as running:
        yield running


def run(lifecycle: Lifecycle, operation: str) -> dict[str, int]:
    project, control = lifecycle
    prepare(project, operation, COUNT)
    measured = project.measure(operation, control, *engine_args(operation))
    assert floors.target_problems(operation, COUNT, measured.calls, TEAMS) == []
    return measured.calls


def test_1_initial_up_is_one_create_each_and_one_registry_read_per_team(
    lifecycle: Lifecycle,
) -> None:
    calls = run(lifecycle, floors.INITIAL_UP)
    # One ownership listing for the process; each team's registries once, however many
    # of the four host threads raced for them.
    listing = floors.list_pages(0)  # the org is empty before the first create
    assert calls == {
        CREATE: COUNT,
        LIST: listing,
        EVENTS: TEAMS,
        ACTIVITIES: TEAMS,
        OPERATORS: TEAMS,
    }


def test_2_noop_preview_makes_no_call(lifecycle: Lifecycle) -> None:
    assert run(lifecycle, floors.NOOP_PREVIEW) == {}


def test_3_noop_up_makes_no_call(lifecycle: Lifecycle) -> None:
    assert run(lifecycle, floors.NOOP_UP) == {}


def test_4_edits_are_one_patch_each(lifecycle: Lifecycle) -> None:
    calls = run(lifecycle, floors.EDIT_UP)
    # Both edited files belong to team 0: its registries are read to cross-check them.
    assert calls == {PATCH: K, EVENTS: 1, ACTIVITIES: 1, OPERATORS: 1}


def test_5_flips_are_one_toggle_each(lifecycle: Lifecycle) -> None:
    calls = run(lifecycle, floors.FLIP_UP)
    # No registry read for an activation change; one listing tells the live state.
    assert calls == {TOGGLE: K, LIST: floors.list_pages(COUNT)}


def test_6_refresh_reads_the_org_in_its_pages(lifecycle: Lifecycle) -> None:
    assert run(lifecycle, floors.REFRESH) == {LIST: floors.list_pages(COUNT)}


def test_7_destroy_is_one_delete_each_and_one_listing(lifecycle: Lifecycle) -> None:
    calls = run(lifecycle, floors.DESTROY)
    assert calls == {DELETE: COUNT, LIST: floors.list_pages(COUNT)}
