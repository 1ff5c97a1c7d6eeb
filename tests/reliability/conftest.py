"""Fixtures of the reliability suite: the engine, and the engine scenarios run side by side.

A test that needs an engine scenario carries ``@pytest.mark.scenario(NAME)``; the session
starts every selected scenario at once (see ``scenarios.py``) and each test waits for its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.engine import require_pulumi
from tests.reliability.scenarios import ScenarioPool


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "scenario(name): the test reads the result of this engine scenario"
    )


@pytest.fixture(scope="session")
def pulumi_binary() -> str:
    """The Pulumi CLI (a skip, or a failure in CI, when it is not built)."""
    return require_pulumi()


@pytest.fixture(scope="session")
def scenarios(
    request: pytest.FixtureRequest,
    pulumi_binary: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ScenarioPool]:
    """Every scenario the selected tests name, started together on first use."""
    names = [
        str(marker.args[0])
        for item in request.session.items
        for marker in item.iter_markers("scenario")
    ]
    pool = ScenarioPool(names, pulumi_binary, tmp_path_factory.mktemp)
    yield pool
    pool.close()
