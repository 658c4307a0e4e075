"""The shipped Prometheus rules (deploy/prometheus) are valid, pass their promtool unit tests,
and state the same rules with the same thresholds as ``tracklog.domain.alerts``.

promtool is looked up in ``TRACKLOG_PROMTOOL``, then on PATH, then at ``.tools/promtool``
(``deploy/prometheus/install-promtool.sh`` puts it there). Without it the promtool tests are
skipped, loudly, or fail under ``CI=true``. The threshold checks need no promtool.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tracklog.domain.alerts import AlertThresholds, Rule
from tracklog.domain.event_counts import BUCKET_MS

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "deploy" / "prometheus"
RULES = RULES_DIR / "tracklog-rules.yml"
RULE_TESTS = RULES_DIR / "tracklog-rules.test.yml"
CURRENT = "module_type:tracklog_events_applied:increase1h"
BASELINE = "module_type:tracklog_events_applied:baseline1h"


def find_promtool() -> str | None:
    given = os.environ.get("TRACKLOG_PROMTOOL")
    if given:
        return given
    local = ROOT / ".tools" / "promtool"
    return shutil.which("promtool") or (str(local) if os.access(local, os.X_OK) else None)


def require_promtool() -> str:
    """promtool's path; without it, skip loudly, or fail under CI."""
    found = find_promtool()
    if found is None:
        reason = (
            "promtool not found (TRACKLOG_PROMTOOL, PATH, .tools/promtool): "
            "run deploy/prometheus/install-promtool.sh"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(f"!!! {reason} (set CI=true to make this a failure)")
    return found


def run_promtool(*args: str) -> None:
    done = subprocess.run(
        [require_promtool(), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"promtool {' '.join(args)} failed:\n{done.stdout}{done.stderr}"


def test_the_shipped_rules_are_valid_prometheus_rules() -> None:
    run_promtool("check", "rules", str(RULES.relative_to(ROOT)))


def test_the_shipped_rules_pass_their_unit_tests() -> None:
    run_promtool("test", "rules", str(RULE_TESTS.relative_to(ROOT)))


# --- the same rules and thresholds as the domain ---------------------------------------------


def rule_blocks(text: str) -> dict[str, str]:
    """Each rule of the file (by its `alert:` or `record:` name) -> the lines of its entry.

    A tiny reader for this file's layout, not a YAML parser: one rule starts at each
    ``- alert:`` or ``- record:`` line and runs until the next rule or group."""
    blocks: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        start = re.match(r"\s*- (?:alert|record): (\S+)\s*$", line)
        if start:
            current = blocks.setdefault(start.group(1), [])
        elif re.match(r"\s*- name: ", line):
            current = []
        current.append(line)
    return {name: "\n".join(lines) for name, lines in blocks.items()}


def expr_of(block: str) -> str:
    """The rule's expression, on one line: the `expr:` line and the lines indented under it."""
    lines = block.splitlines()
    starts = [n for n, line in enumerate(lines) if line.lstrip().startswith("expr:")]
    assert len(starts) == 1, f"not one expr in:\n{block}"
    indent = len(lines[starts[0]]) - len(lines[starts[0]].lstrip())
    expr = [lines[starts[0]].split("expr:", 1)[1].removeprefix(" |")]
    for line in lines[starts[0] + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        expr.append(line)
    return " ".join(" ".join(expr).split())


def field_of(block: str, key: str) -> str:
    found = re.search(rf"^\s*{key}: (\S+)\s*$", block, re.M)
    assert found, f"no {key} in:\n{block}"
    return found.group(1)


def number(value: float) -> str:
    return f"{value:g}"


def duration(seconds: int) -> str:
    for unit, size in (("d", 86_400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def alert_name(rule: Rule) -> str:
    return "Tracklog" + "".join(word.title() for word in rule.value.split("_"))


def baseline_offsets(t: AlertThresholds) -> list[str]:
    half = t.baseline_windows // 2
    shifts = [t.baseline_offset_seconds + k * t.window_seconds for k in range(half, -half - 1, -1)]
    return [f"[{duration(t.window_seconds)}] offset {duration(shift)}" for shift in shifts]


def expected_fragments(t: AlertThresholds) -> dict[str, list[str]]:
    """Per rule of the file, the pieces of PromQL that carry each domain threshold."""
    window, floor = f"[{duration(t.window_seconds)}]", t.volume_min_baseline
    growth = f"[{duration(t.backlog_growth_intervals * BUCKET_MS // 1000)}]"
    rate = [window, f">= {t.min_events_for_rate}"]
    return {
        "TracklogAggregationLagHigh": [f"> {number(t.max_lag_seconds)}"],
        "TracklogBacklogGrowing": [f"max(tracklog_outbox_backlog) > {t.backlog_floor}", growth],
        "TracklogDeadLetters": [f"> {t.max_dead_letters}"],
        "TracklogDuplicateRateHigh": [*rate, f"> {number(t.max_duplicate_rate)}"],
        "TracklogConflictRateHigh": [*rate, f"> {number(t.max_conflict_rate)}"],
        "TracklogReconciliationMismatch": ["> 0"],
        "TracklogModuleTypeSilent": [f"{BASELINE} >= {floor}", f"{CURRENT} > 0"],
        "TracklogModuleTypeVolumeDrop": [
            f"< {number(t.volume_drop_ratio)} * {BASELINE}",
            f"{BASELINE} >= {floor}",
        ],
        CURRENT: [window, 'outcome="applied"'],
        BASELINE: ["quantile by (module_type) (0.5,", *baseline_offsets(t)],
    }


@pytest.fixture(scope="module")
def blocks() -> dict[str, str]:
    return rule_blocks(RULES.read_text(encoding="utf-8"))


def test_every_domain_rule_is_a_prometheus_alert_with_the_same_severity(
    blocks: dict[str, str],
) -> None:
    alerts = {name for name, block in blocks.items() if "- alert:" in block}
    assert alerts == {alert_name(rule) for rule in Rule}
    for rule in Rule:
        assert field_of(blocks[alert_name(rule)], "severity") == rule.severity.value, rule


def test_every_alert_links_to_its_runbook_section(blocks: dict[str, str]) -> None:
    for rule in Rule:
        anchor = "alert-" + rule.value.replace("_", "-")
        assert field_of(blocks[alert_name(rule)], "runbook") == f"docs/operations.md#{anchor}"


@pytest.mark.parametrize("name", sorted(expected_fragments(AlertThresholds())))
def test_each_rule_uses_the_default_thresholds_of_the_domain(
    blocks: dict[str, str], name: str
) -> None:
    expr = expr_of(blocks[name])
    for fragment in expected_fragments(AlertThresholds())[name]:
        assert fragment in expr, f"{name}: {fragment!r} not in {expr!r}"


def test_the_reader_sees_every_rule_of_the_file(blocks: dict[str, str]) -> None:
    declared = re.findall(r"- (?:alert|record): ", RULES.read_text(encoding="utf-8"))
    assert len(blocks) == len(declared) == len(expected_fragments(AlertThresholds()))
