"""TRACKLOG_COPY_RULES: parsing (fail closed) and evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracklog.domain.copy_rules import (
    DAY_MS,
    DEFAULT_POLICY,
    Always,
    CompletedWithin,
    ContextWindow,
    Match,
    WithinContextDuration,
    parse_copy_rules,
    startup_warning,
)
from tracklog.settings import load_settings

NOW = 1_795_000_000_000
BATCH = ContextWindow(NOW - 200 * DAY_MS, NOW + 30 * DAY_MS)
times = st.integers(min_value=0, max_value=2 * NOW)


def test_unset_means_within_90_days_or_within_the_context_dates() -> None:
    policy = parse_copy_rules(None)
    assert policy == DEFAULT_POLICY
    assert policy.match is Match.ANY
    assert policy.rules == (CompletedWithin(90), WithinContextDuration())
    assert policy.describe() == "completedWithin 90 days or withinContextDuration"


def test_the_default_copies_a_recent_completion_and_one_inside_the_batch() -> None:
    recent, old = NOW - 10 * DAY_MS, NOW - 120 * DAY_MS
    assert DEFAULT_POLICY.reason(recent, None, NOW) == "completedWithin 90 days"
    assert DEFAULT_POLICY.reason(old, None, NOW) is None
    assert DEFAULT_POLICY.reason(old, ContextWindow(NOW - DAY_MS, None), NOW) is None
    assert DEFAULT_POLICY.reason(old, BATCH, NOW) == "withinContextDuration"


def test_completed_within_includes_its_boundary() -> None:
    rule = CompletedWithin(90)
    assert rule.holds(NOW - 90 * DAY_MS, None, NOW)
    assert not rule.holds(NOW - 90 * DAY_MS - 1, None, NOW)


def test_all_needs_every_rule_and_names_them() -> None:
    text = json.dumps(
        {
            "match": "all",
            "rules": [{"type": "completedWithin", "days": 30}, {"type": "withinContextDuration"}],
        }
    )
    policy = parse_copy_rules(text)
    assert policy.problem is None
    assert policy.reason(NOW - DAY_MS, BATCH, NOW) == (
        "completedWithin 30 days and withinContextDuration"
    )
    assert policy.reason(NOW - 40 * DAY_MS, BATCH, NOW) is None


@given(completed=times)
def test_always_copies_any_completion(completed: int) -> None:
    policy = parse_copy_rules('{"match": "any", "rules": [{"type": "always"}]}')
    assert policy.rules == (Always(),)
    assert policy.reason(completed, None, NOW) == "always"


@given(completed=times)
def test_within_context_duration_never_holds_without_a_registered_context(completed: int) -> None:
    assert not WithinContextDuration().holds(completed, None, NOW)


@given(completed=times, start=times, length=st.integers(min_value=0, max_value=NOW))
def test_within_context_duration_is_the_closed_interval(
    completed: int, start: int, length: int
) -> None:
    window = ContextWindow(start, start + length)
    inside = start <= completed <= start + length
    assert WithinContextDuration().holds(completed, window, NOW) == inside


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("{not json", "is not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"match": "some", "rules": [{"type": "always"}]}', '"match" must be "any" or "all"'),
        ('{"match": "any", "rules": []}', '"rules" must be a non-empty list'),
        ('{"match": "any"}', '"rules" must be a non-empty list'),
        ('{"rules": [{"type": "completedWithin"}]}', "rules[0].days must be a whole number"),
        ('{"rules": [{"type": "completedWithin", "days": -1}]}', "rules[0].days"),
        ('{"rules": [{"type": "completedWithin", "days": true}]}', "rules[0].days"),
        ('{"rules": [{"type": "always"}, {"type": "sometimes"}]}', "rules[1].type must be one of"),
        ('{"rules": ["always"]}', "rules[0] must be an object"),
    ],
)
def test_empty_or_invalid_rules_copy_nothing_and_say_why(text: str, problem: str) -> None:
    policy = parse_copy_rules(text)
    assert policy.rules == ()
    assert policy.problem is not None
    assert problem in policy.problem
    assert policy.reason(NOW, BATCH, NOW) is None
    warning = startup_warning(policy, copy_mode=True)
    assert warning is not None
    assert warning.startswith("TRACKLOG_COPY_RULES ")
    assert "nothing will be copied" in warning


def test_valid_rules_need_no_warning_and_unused_rules_say_so() -> None:
    assert startup_warning(DEFAULT_POLICY, copy_mode=True) is None
    warning = startup_warning(parse_copy_rules("nope"), copy_mode=False)
    assert warning is not None
    assert "TRACKLOG_MODE is not copy" in warning


def test_a_config_file_may_give_the_rules_as_a_table(tmp_path: Path) -> None:
    config = tmp_path / "tracklog.toml"
    config.write_text(
        '[tracklog]\nmode = "copy"\n'
        'copy_rules = {match = "all", rules = [{type = "completedWithin", days = 7}]}\n'
    )
    settings = load_settings({"TRACKLOG_CONFIG_FILE": str(config)})
    policy = parse_copy_rules(settings.copy_rules)
    assert (policy.match, policy.rules) == (Match.ALL, (CompletedWithin(7),))
