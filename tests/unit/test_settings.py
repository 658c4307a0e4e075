"""Configuration (SPEC §2): one typed object from TRACKLOG_*; unsafe values stop start-up."""

from __future__ import annotations

import pytest

from tracklog.domain.modes import Mode
from tracklog.settings import Environment, SettingsError, load_settings

GOOD_SECRET = "a-real-production-secret-of-40-bytes-000"


def refused(environ: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    return str(raised.value)


def test_defaults_are_embedded_development_in_strict_mode() -> None:
    settings = load_settings({})
    assert settings.environment is Environment.DEVELOPMENT
    assert settings.mode is Mode.STRICT
    assert settings.database_url.startswith("sqlite:///")
    assert settings.redis_url is None


def test_variables_are_read_into_typed_fields() -> None:
    settings = load_settings(
        {"TRACKLOG_MODE": "copy", "TRACKLOG_PORT": "9000", "TRACKLOG_HOST": "0.0.0.0"}
    )
    assert (settings.mode, settings.port, settings.host) == (Mode.COPY, 9000, "0.0.0.0")


def test_other_programs_variables_are_ignored() -> None:
    assert load_settings({"PATH": "/bin", "TRACKLOG": "x"}).mode is Mode.STRICT


def test_an_unknown_variable_stops_start_up_and_is_named() -> None:
    message = refused({"TRACKLOG_MDOE": "strict"})
    assert message.startswith("TRACKLOG_MDOE")
    assert "unknown setting" in message


def test_an_unknown_mode_is_named() -> None:
    message = refused({"TRACKLOG_MODE": "carry-everything"})
    assert message.startswith("TRACKLOG_MODE")


def test_a_port_that_is_not_a_number_is_named() -> None:
    assert refused({"TRACKLOG_PORT": "eighty"}).startswith("TRACKLOG_PORT")


def test_production_refuses_the_placeholder_secret() -> None:
    message = refused({"TRACKLOG_ENVIRONMENT": "production"})
    assert "TRACKLOG_AUTH_JWT_SECRET" in message
    assert "placeholder" in message


def test_production_refuses_a_short_secret() -> None:
    message = refused({"TRACKLOG_ENVIRONMENT": "production", "TRACKLOG_AUTH_JWT_SECRET": "short1"})
    assert "TRACKLOG_AUTH_JWT_SECRET" in message
    assert "32 bytes" in message


def test_production_starts_with_a_real_secret() -> None:
    settings = load_settings(
        {"TRACKLOG_ENVIRONMENT": "production", "TRACKLOG_AUTH_JWT_SECRET": GOOD_SECRET}
    )
    assert settings.is_production


def test_development_accepts_the_placeholder_but_says_so() -> None:
    assert load_settings({}).uses_placeholder_secret is True


def test_crash_hooks_of_the_test_suite_never_act_in_production() -> None:
    from tracklog.settings import TestHooks, load_test_hooks

    hooks = {"TRACKLOG_TEST_KILL_AFTER_BATCH": "2", "TRACKLOG_TEST_CLOCK_MS": "5"}
    assert load_test_hooks(hooks) == TestHooks(kill_after_batch=2, clock_ms=5)
    production = {**hooks, "TRACKLOG_ENVIRONMENT": "production"}
    assert load_test_hooks(production) == TestHooks()
