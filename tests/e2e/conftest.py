"""Fixtures for the command-line tests."""

from __future__ import annotations

import pytest

from tests.e2e.cli import clean_env


@pytest.fixture
def cli_env(database_url: str) -> dict[str, str]:
    return clean_env(database_url)
