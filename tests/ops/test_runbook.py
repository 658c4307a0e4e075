"""The monitoring runbook (docs/operations.md) covers what is shipped: a section for every alert
the rules and the monitor raise (the rules' `runbook` links land on it), and a row for every
metric family `/metrics` exposes."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tracklog.bootstrap import Tracklog
from tracklog.domain.alerts import Rule
from tracklog.entrypoints.api.app import create_app

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "docs" / "operations.md"
RULES = ROOT / "deploy" / "prometheus" / "tracklog-rules.yml"


def anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    found = set()
    for heading in re.findall(r"^#+ (.+)$", markdown, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_every_runbook_link_of_the_rules_lands_on_a_section() -> None:
    links = re.findall(r"runbook: docs/operations\.md#([\w-]+)", RULES.read_text())
    assert len(links) == len(Rule)
    assert set(links) <= anchors(RUNBOOK.read_text())


def test_every_alert_of_the_monitor_has_a_section() -> None:
    sections = anchors(RUNBOOK.read_text())
    for rule in Rule:
        assert "alert-" + str(rule).replace("_", "-") in sections, rule


def test_every_exposed_metric_family_is_documented(tracklog: Tracklog) -> None:
    with TestClient(create_app(tracklog, manage_lifecycle=False)) as client:
        exposition = client.get("/metrics").text
    families = set(re.findall(r"^# TYPE (tracklog_\w+) ", exposition, re.M))
    families = {f for f in families if not f.endswith("_created")}
    assert "tracklog_events_total" in families
    documented = set(re.findall(r"`(tracklog_\w+)`", RUNBOOK.read_text()))
    assert families - documented == set()
