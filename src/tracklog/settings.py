"""The one typed settings object. Nothing else in Tracklog reads the environment."""

from __future__ import annotations

import enum
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from tracklog.domain.alerts import AlertThresholds
from tracklog.domain.api_keys import parse_hashes
from tracklog.domain.event_counts import BUCKET_MS
from tracklog.domain.modes import Mode

DEV_SECRET = "tracklog-development-placeholder-secret-change-me"
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev-secret", DEV_SECRET})
MIN_SECRET_BYTES = 32
ENV_PREFIX = "TRACKLOG_"


class Environment(enum.StrEnum):
    DEVELOPMENT = "development"
    STAGING = "staging"
    PRODUCTION = "production"


class LogFormat(enum.StrEnum):
    JSON = "json"  # one JSON object a line, for a log collector (the default)
    CONSOLE = "console"  # one readable line, for a person at a terminal


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class SettingsError(Exception):
    """Start-up must stop: the message names the offending variable."""


@dataclass(frozen=True, slots=True)
class TestHooks:
    """``TRACKLOG_TEST_*``: fault injection for tests of crash recovery; never set in service."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    kill_after_batch: int | None = None  # SIGKILL the job process once batch N is committed
    kill_before_commit: int | None = None  # SIGKILL it while batch N is written, not committed
    clock_ms: int | None = None  # a frozen clock, so two runs write identical timestamps


TEST_HOOKS = {
    "KILL_AFTER_BATCH": "kill_after_batch",
    "KILL_BEFORE_COMMIT": "kill_before_commit",
    "CLOCK_MS": "clock_ms",
}


class Settings(BaseModel):
    """Every setting, as ``TRACKLOG_<NAME>`` in the environment or ``name`` in the config file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    database_url: str = "sqlite:///./tracklog.db"
    # PostgreSQL connections one process keeps (and never more): requests beyond them wait for
    # one instead of opening and closing a connection each (decision 0518)
    database_pool_size: int = Field(default=20, ge=1, le=500)
    redis_url: str | None = None
    mode: Mode = Mode.STRICT
    copy_rules: str | None = None
    environment: Environment = Environment.DEVELOPMENT
    auth_jwt_secret: str = DEV_SECRET
    auth_jwt_public_key: str | None = None
    auth_jwt_algorithm: str = "HS256"
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    sqlite_synchronous: str = "FULL"
    worker_batch_size: int = Field(default=500, ge=1, le=100_000)
    worker_poll_ms: int = Field(default=200, ge=1, le=60_000)
    worker_coalesce_ms: int = Field(default=25, ge=0, le=5_000)
    embedded_worker: bool | None = None  # None: on in embedded mode, off with Redis (server mode)
    worker_lease_ms: int = Field(default=10_000, ge=100, le=600_000)
    stream_redeliver_ms: int = Field(default=60_000, ge=100, le=86_400_000)
    dlq_max_attempts: int = Field(default=5, ge=1, le=100)
    event_retention_days: int = Field(default=30, ge=7)
    max_sync_events: int = Field(default=1000, ge=1, le=10_000)
    job_batch_size: int = Field(default=2000, ge=1, le=100_000)
    job_pause_lag_seconds: float = Field(default=30.0, gt=0)
    # the shared event counts and the monitor's rules (SPEC §8, docs/operations.md#monitoring)
    counts_flush_ms: int = Field(default=2000, ge=50, le=60_000)
    alert_max_lag_seconds: float = Field(default=60.0, gt=0)
    alert_backlog_growth_intervals: int = Field(default=3, ge=1, le=1000)
    alert_backlog_floor: int = Field(default=100, ge=0)
    alert_max_dead_letters: int = Field(default=0, ge=0)
    alert_max_duplicate_rate: float = Field(default=0.2, ge=0, le=1)
    alert_max_conflict_rate: float = Field(default=0.01, ge=0, le=1)
    alert_min_events_for_rate: int = Field(default=50, ge=1)
    alert_volume_drop_ratio: float = Field(default=0.2, gt=0, le=1)
    alert_volume_min_baseline: int = Field(default=20, ge=1)
    alert_window: int = Field(default=3600, ge=300)  # seconds; a duration (1h, 15m)
    alert_baseline_offset: int = Field(default=86_400, ge=300)  # seconds; a duration (24h)
    alert_baseline_windows: int = Field(default=3, ge=1, le=25)
    monitor_webhook_url: str | None = None
    legacy_api_keys: str | None = None  # comma-separated sha256:<hex> hashes of gateway keys
    legacy_token_grace: int = Field(default=0, ge=0)  # seconds; given as a duration (7d, 12h)
    log_format: LogFormat = LogFormat.JSON
    log_level: str = "INFO"
    access_log: bool = False  # one INFO line per request; measured ~15 % of a write's cost
    config_file: str | None = None
    _test_hooks: TestHooks = PrivateAttr(default_factory=TestHooks)

    @field_validator("copy_rules", mode="before")
    @classmethod
    def _copy_rules_as_json(cls, value: Any) -> Any:
        """A config file may give the rules as a table; they are kept as JSON text."""
        return json.dumps(value) if isinstance(value, dict | list) else value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("redis://", "rediss://", "redis+cluster://", "unix://")):
            raise ValueError("must start with redis://, rediss://, redis+cluster:// or unix://")
        return value.strip()

    @field_validator("legacy_api_keys")
    @classmethod
    def _legacy_api_keys(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return ",".join(parse_hashes(value))

    @field_validator("legacy_token_grace", "alert_window", "alert_baseline_offset", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value) if isinstance(value, str) else value

    @field_validator("alert_window", "alert_baseline_offset")
    @classmethod
    def _whole_buckets(cls, value: int) -> int:
        if value % (BUCKET_MS // 1000):
            raise ValueError(f"must be a whole number of {BUCKET_MS // 60_000}-minute buckets")
        return value

    @field_validator("alert_baseline_windows")
    @classmethod
    def _odd(cls, value: int) -> int:
        if value % 2 == 0:
            raise ValueError("must be odd (the baseline is the median of these windows)")
        return value

    @field_validator("monitor_webhook_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.strip()

    @field_validator("sqlite_synchronous")
    @classmethod
    def _synchronous(cls, value: str) -> str:
        allowed = {"FULL", "NORMAL", "EXTRA"}
        if value.upper() not in allowed:
            raise ValueError(
                f"must be one of {sorted(allowed)} (OFF would lose acknowledged writes)"
            )
        return value.upper()

    @field_validator("log_format", mode="before")
    @classmethod
    def _log_format(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)} (any case), not {value!r}")
        return level

    @field_validator("auth_jwt_algorithm")
    @classmethod
    def _algorithm(cls, value: str) -> str:
        if value not in {"HS256", "RS256"}:
            raise ValueError("must be HS256 or RS256")
        return value

    @model_validator(mode="after")
    def _safe_for_production(self) -> Settings:
        if self.environment is Environment.PRODUCTION and self.auth_jwt_algorithm == "HS256":
            if self.uses_placeholder_secret:
                raise ValueError(
                    "TRACKLOG_AUTH_JWT_SECRET is a placeholder; set a real secret in production"
                )
            if len(self.auth_jwt_secret.encode()) < MIN_SECRET_BYTES:
                raise ValueError(
                    f"TRACKLOG_AUTH_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes "
                    "in production"
                )
        if self.auth_jwt_algorithm == "RS256" and not self.auth_jwt_public_key:
            raise ValueError("TRACKLOG_AUTH_JWT_PUBLIC_KEY is required with RS256")
        return self

    @property
    def uses_placeholder_secret(self) -> bool:
        return self.auth_jwt_algorithm == "HS256" and self.auth_jwt_secret in PLACEHOLDER_SECRETS

    @property
    def secret_values(self) -> tuple[str, ...]:
        """What no log line may show: the signing secret and the passwords in the URLs."""
        urls = (self.database_url, self.redis_url)
        passwords = [p for url in urls if url for p in _url_passwords(url)]
        return tuple(s for s in (self.auth_jwt_secret, *passwords) if s)

    @property
    def database_kind(self) -> str:
        """``sqlite`` or ``postgresql``: what may be logged of the database URL."""
        return self.database_url.partition(":")[0].partition("+")[0] or "unknown"

    @property
    def legacy_api_key_hashes(self) -> tuple[str, ...]:
        """The gateway keys the legacy routes accept in ``Authorization`` (empty: not checked)."""
        return parse_hashes(self.legacy_api_keys) if self.legacy_api_keys else ()

    @property
    def alert_thresholds(self) -> AlertThresholds:
        """The monitor's limits (``TRACKLOG_ALERT_*``), checked when the settings were read."""
        return AlertThresholds(
            max_lag_seconds=self.alert_max_lag_seconds,
            backlog_growth_intervals=self.alert_backlog_growth_intervals,
            backlog_floor=self.alert_backlog_floor,
            max_dead_letters=self.alert_max_dead_letters,
            max_duplicate_rate=self.alert_max_duplicate_rate,
            max_conflict_rate=self.alert_max_conflict_rate,
            min_events_for_rate=self.alert_min_events_for_rate,
            volume_drop_ratio=self.alert_volume_drop_ratio,
            volume_min_baseline=self.alert_volume_min_baseline,
            window_seconds=self.alert_window,
            baseline_offset_seconds=self.alert_baseline_offset,
            baseline_windows=self.alert_baseline_windows,
        )

    @property
    def server_mode(self) -> bool:
        """Redis configured: Redis cache and event stream, aggregation in ``tracklog worker``."""
        return self.redis_url is not None

    @property
    def runs_embedded_worker(self) -> bool:
        return self.embedded_worker if self.embedded_worker is not None else not self.server_mode

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def test_hooks(self) -> TestHooks:
        """The crash hooks of the test suite; always off in production, however it was set."""
        return TestHooks() if self.is_production else self._test_hooks


def _url_passwords(url: str) -> set[str]:
    """The password of ``scheme://user:password@host``, as written and percent-decoded."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return set()
    return {password, unquote(password)} if password else set()


_DURATION = re.compile(r"(\d+)\s*([smhd]?)", re.ASCII)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """``0``, ``90s``, ``30m``, ``12h``, ``7d`` (a bare number is seconds) as seconds."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(f"'{text}' is not a duration like 0, 30m, 12h or 7d")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read ``TRACKLOG_*`` and the optional TOML config file once; errors name the variable."""
    env = dict(os.environ if environ is None else environ)
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    unknown = sorted(k for k in env if k.startswith(ENV_PREFIX) and k not in known)
    unknown = [k for k in unknown if not k.startswith(ENV_PREFIX + "TEST_")]
    if unknown:
        raise SettingsError(f"{unknown[0]}: unknown setting (known: {', '.join(sorted(known))})")
    values: dict[str, Any] = _from_file(env.get(ENV_PREFIX + "CONFIG_FILE"))
    values.update({k[len(ENV_PREFIX) :].lower(): v for k, v in env.items() if k in known})
    values.update(overrides)
    try:
        settings = Settings.model_validate(values)
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None
    settings._test_hooks = _test_hooks(env)
    return settings


def _test_hooks(env: Mapping[str, str]) -> TestHooks:
    """``TRACKLOG_TEST_*`` fault injection (``Settings.test_hooks`` ignores it in production)."""
    values: dict[str, int] = {}
    for suffix, name in TEST_HOOKS.items():
        variable = ENV_PREFIX + "TEST_" + suffix
        text = env.get(variable, "").strip()
        if text:
            try:
                values[name] = int(text)
            except ValueError:
                raise SettingsError(f"{variable}: must be a whole number, not {text!r}") from None
    return TestHooks(**values)


def _from_file(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    file = Path(path)
    if not file.is_file():
        raise SettingsError(f"TRACKLOG_CONFIG_FILE: no such file {path}")
    try:
        with file.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"TRACKLOG_CONFIG_FILE: {path} is not valid TOML ({error})") from None
    table = data.get("tracklog", data)
    if not isinstance(table, dict):
        raise SettingsError(f"TRACKLOG_CONFIG_FILE: [tracklog] in {path} must be a table")
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = str(key).lower()
        if name.startswith(ENV_PREFIX.lower()):
            short = name[len(ENV_PREFIX) :]
            raise SettingsError(
                f"TRACKLOG_CONFIG_FILE: write '{short} = ...' in {path}, not '{key}' "
                "(the TRACKLOG_ prefix is for environment variables)"
            )
        if name not in Settings.model_fields or name == "config_file":
            known = ", ".join(sorted(n for n in Settings.model_fields if n != "config_file"))
            raise SettingsError(
                f"TRACKLOG_CONFIG_FILE: '{key}' in {path} is not a setting (known: {known})"
            )
        values[name] = value
    return values


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        location = error.get("loc") or ()
        name = ENV_PREFIX + str(location[0]).upper() if location else "settings"
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        parts.append(f"{name}: {message}")
    return "; ".join(parts)
