"""Fixtures of the hardening tests: the engine, as the reliability suite finds it."""

from __future__ import annotations

import pytest

from tests.e2e.engine import require_pulumi


@pytest.fixture(scope="session")
def pulumi_binary() -> str:
    """The Pulumi CLI (a skip, or a failure in CI, when it is not built)."""
    return require_pulumi()
