"""The production guard, as a rule: who may run a bulk job where."""

from __future__ import annotations

import pytest

from tracklog.services.jobs.guard import GuardInput, JobRefused, check
from tracklog.settings import Environment

DB = "sqlite:///prod.db"


def test_development_and_staging_need_no_confirmation() -> None:
    check(GuardInput(Environment.DEVELOPMENT, "development", None, None), DB)
    check(GuardInput(Environment.STAGING, "staging", None, None), DB)


def test_production_without_confirmation_or_terminal_is_refused() -> None:
    with pytest.raises(JobRefused, match="--confirm production"):
        check(GuardInput(Environment.PRODUCTION, "production", None, None), DB)


def test_production_with_confirm_production_runs() -> None:
    check(GuardInput(Environment.PRODUCTION, "production", "production", None), DB)


def test_a_confirmation_naming_another_environment_is_refused() -> None:
    with pytest.raises(JobRefused, match="does not match"):
        check(GuardInput(Environment.PRODUCTION, "production", "prod", None), DB)


def test_the_operator_typing_production_at_the_prompt_runs_it() -> None:
    asked: list[str] = []

    def operator(question: str) -> str:
        asked.append(question)
        return "production\n"

    check(GuardInput(Environment.PRODUCTION, "production", None, operator), DB)
    assert "PRODUCTION" in asked[0]


def test_typing_anything_else_at_the_prompt_is_refused() -> None:
    with pytest.raises(JobRefused, match="you typed 'yes'"):
        check(GuardInput(Environment.PRODUCTION, "production", None, lambda _: "yes"), DB)


def test_a_database_stamped_for_another_environment_is_refused_even_with_confirmation() -> None:
    with pytest.raises(JobRefused, match="stamped 'production'"):
        check(GuardInput(Environment.STAGING, "production", "staging", None), DB)
