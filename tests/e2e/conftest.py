"""Fixtures for the command-line tests."""

from __future__ import annotations

import pytest

from tests.e2e.cli import clean_env
from tests.jobs_fixtures import seeded_twin, twin_url

__all__ = ["seeded_twin", "twin_url"]


@pytest.fixture
def cli_env(database_url: str) -> dict[str, str]:
    return clean_env(database_url)
