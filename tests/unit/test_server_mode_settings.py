"""Server mode is chosen by configuration alone: a Redis URL, and where aggregation runs."""

from __future__ import annotations

import pytest

from tracklog.settings import SettingsError, load_settings


def test_without_redis_the_api_process_aggregates() -> None:
    settings = load_settings({})

    assert (settings.server_mode, settings.runs_embedded_worker) == (False, True)


def test_with_redis_aggregation_is_left_to_tracklog_worker_unless_asked() -> None:
    server = load_settings({"TRACKLOG_REDIS_URL": "redis://cache:6379/0"})
    both = load_settings(
        {"TRACKLOG_REDIS_URL": "redis+cluster://n1:6379", "TRACKLOG_EMBEDDED_WORKER": "true"}
    )

    assert (server.server_mode, server.runs_embedded_worker) == (True, False)
    assert (both.server_mode, both.runs_embedded_worker) == (True, True)


def test_an_empty_redis_url_means_embedded_and_a_wrong_one_is_named() -> None:
    assert load_settings({"TRACKLOG_REDIS_URL": ""}).server_mode is False
    with pytest.raises(SettingsError, match="TRACKLOG_REDIS_URL"):
        load_settings({"TRACKLOG_REDIS_URL": "cache:6379"})
