"""Configuration (SPEC §2): one typed object from TRACKLOG_*; unsafe values stop start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracklog.domain.api_keys import hash_key
from tracklog.domain.modes import Mode
from tracklog.settings import Environment, LogFormat, SettingsError, TestHooks, load_settings

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
    hooks = {"TRACKLOG_TEST_KILL_AFTER_BATCH": "2", "TRACKLOG_TEST_CLOCK_MS": "5"}
    assert load_settings(hooks).test_hooks == TestHooks(kill_after_batch=2, clock_ms=5)
    production = {
        **hooks,
        "TRACKLOG_ENVIRONMENT": "production",
        "TRACKLOG_AUTH_JWT_SECRET": GOOD_SECRET,
    }
    assert load_settings(production).test_hooks == TestHooks()


def test_crash_hooks_stay_off_when_production_is_set_in_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "tracklog.toml"
    config.write_text(
        f'[tracklog]\nenvironment = "production"\nauth_jwt_secret = "{GOOD_SECRET}"\n'
    )
    environ = {
        "TRACKLOG_CONFIG_FILE": str(config),
        "TRACKLOG_TEST_KILL_AFTER_BATCH": "1",
        "TRACKLOG_TEST_KILL_BEFORE_COMMIT": "1",
        "TRACKLOG_TEST_CLOCK_MS": "5",
    }
    settings = load_settings(environ)
    assert settings.is_production
    assert settings.test_hooks == TestHooks()


def test_a_crash_hook_that_is_not_a_number_is_named() -> None:
    with pytest.raises(SettingsError, match="TRACKLOG_TEST_CLOCK_MS"):
        load_settings({"TRACKLOG_TEST_CLOCK_MS": "soon"})


def test_legacy_api_keys_are_hashes_and_a_raw_key_is_refused() -> None:
    entry = hash_key("gateway-key")
    settings = load_settings({"TRACKLOG_LEGACY_API_KEYS": f" {entry.upper()} , sha256:{'0' * 64}"})
    assert settings.legacy_api_key_hashes == (entry, f"sha256:{'0' * 64}")
    assert load_settings({}).legacy_api_key_hashes == ()
    message = refused({"TRACKLOG_LEGACY_API_KEYS": "gateway-key"})
    assert message.startswith("TRACKLOG_LEGACY_API_KEYS")
    assert "hash-key" in message


@pytest.mark.parametrize(
    ("text", "seconds"), [("0", 0), ("90", 90), ("45s", 45), ("30m", 1800), ("7d", 604800)]
)
def test_the_legacy_token_grace_is_a_duration(text: str, seconds: int) -> None:
    assert load_settings({"TRACKLOG_LEGACY_TOKEN_GRACE": text}).legacy_token_grace == seconds


def test_the_legacy_token_grace_is_off_by_default_and_a_bad_one_is_named() -> None:
    assert load_settings({}).legacy_token_grace == 0
    for bad in ("a week", "-1d", "7w"):
        assert refused({"TRACKLOG_LEGACY_TOKEN_GRACE": bad}).startswith(
            "TRACKLOG_LEGACY_TOKEN_GRACE"
        )


def test_a_legacy_token_grace_is_announced_at_start_up() -> None:
    from tracklog.bootstrap import startup_warnings

    assert not any("GRACE" in w for w in startup_warnings(load_settings({})))
    warned = startup_warnings(load_settings({"TRACKLOG_LEGACY_TOKEN_GRACE": "7d"}))
    assert any("TRACKLOG_LEGACY_TOKEN_GRACE" in w and "604800 s" in w for w in warned)


def test_logs_are_json_from_info_by_default() -> None:
    settings = load_settings({})
    assert (settings.log_format, settings.log_level) == (LogFormat.JSON, "INFO")


@pytest.mark.parametrize(("given", "level"), [("debug", "DEBUG"), (" Warning ", "WARNING")])
def test_the_log_level_and_format_are_read_in_any_case(given: str, level: str) -> None:
    settings = load_settings({"TRACKLOG_LOG_LEVEL": given, "TRACKLOG_LOG_FORMAT": "Console"})
    assert (settings.log_format, settings.log_level) == (LogFormat.CONSOLE, level)


def test_a_wrong_log_level_or_format_is_named() -> None:
    message = refused({"TRACKLOG_LOG_LEVEL": "loud"})
    assert message.startswith("TRACKLOG_LOG_LEVEL")
    assert "DEBUG, INFO, WARNING, ERROR" in message
    message = refused({"TRACKLOG_LOG_FORMAT": "xml"})
    assert message.startswith("TRACKLOG_LOG_FORMAT")
    assert "'json' or 'console'" in message


def test_the_log_settings_come_from_the_config_file_too(tmp_path: Path) -> None:
    config = tmp_path / "tracklog.toml"
    config.write_text('[tracklog]\nlog_format = "console"\nlog_level = "error"\n')
    settings = load_settings({"TRACKLOG_CONFIG_FILE": str(config)})
    assert (settings.log_format, settings.log_level) == (LogFormat.CONSOLE, "ERROR")


def test_the_values_no_log_may_show_are_the_secret_and_the_url_passwords() -> None:
    settings = load_settings(
        {
            "TRACKLOG_AUTH_JWT_SECRET": GOOD_SECRET,
            "TRACKLOG_DATABASE_URL": "postgresql+psycopg://tracklog:p%40ss@db/tracklog",
            "TRACKLOG_REDIS_URL": "redis://:redis-pw@cache:6379/0",
        }
    )
    assert set(settings.secret_values) == {GOOD_SECRET, "p%40ss", "p@ss", "redis-pw"}
    assert settings.database_kind == "postgresql"
    assert load_settings({}).database_kind == "sqlite"
