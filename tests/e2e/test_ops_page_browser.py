"""The ops page in a real browser: Debian's headless Chromium, driven by Playwright, against a
real ``tracklog serve`` (production, so the banner is red) after traffic of two module types,
six hours of history, a migration and a reconciliation. The token is pasted in the form; the
figures shown must be those of ``/v1/ops/pipeline``. Saves a screenshot of what it saw; with
``UPDATE_README_SCREENSHOT=1`` that screenshot becomes the README's (docs/img/ops-page.png)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import _unavailable
from tests.e2e.ops_traffic import FIGURE_KEYS, bearer, register_course, seed_history, send_traffic
from tests.integration.migration.support import run
from tracklog.adapters.clock import ManualClock
from tracklog.adapters.legacy.demo_export import write_demo_export
from tracklog.adapters.tokens import TokenCodec
from tracklog.domain.access import Role
from tracklog.settings import Settings
from tracklog.testing.deployment import embedded_server
from tracklog.testing.instances import TEST_SECRET, ready_instance

README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "ops-page.png"
FIGURES = FIGURE_KEYS
CHROMIUM_ARGS = [
    "--no-sandbox",  # root in a container: Chromium's sandbox needs user namespaces
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium() -> str:
    """Debian's ``chromium`` (``.ci/run`` installs it); no browser download by Playwright."""
    found = shutil.which("chromium")
    if found is None:
        _unavailable(
            "Chromium", FileNotFoundError("no `chromium` on PATH (apt-get install chromium)")
        )
    assert found is not None
    return found


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, TokenCodec]]:
    database_url = f"sqlite:///{tmp_path / 'ops.db'}"
    settings = {"environment": "production", "alert_max_duplicate_rate": 0.02}
    values = {"database_url": database_url, "auth_jwt_secret": TEST_SECRET, **settings}
    clock = ManualClock(int(time.time() * 1000))
    before = ready_instance(Settings.model_validate(values), clock=clock)
    seed_history(before, clock)
    write_demo_export(tmp_path / "export", learners=3, hidden_backlog=True, pending_queue=True)
    run(before.deps, "migrate-legacy", tmp_path / "export")
    run(before.deps, "reconcile", tmp_path / "export")
    codec = TokenCodec(before.deps.settings)
    before.close()
    with embedded_server(database_url, tmp_path, **settings) as url:
        yield url, codec


def test_the_ops_page_in_headless_chromium(
    chromium: str, served: tuple[str, TokenCodec], tmp_path: Path
) -> None:
    url, codec = served
    ops = codec.mint("ops-1", [Role.OPS], 3600)
    with httpx.Client(base_url=url, timeout=10) as http:
        register_course(http, codec.mint("admin-1", [Role.ADMIN], 3600))
        send_traffic(http, codec.mint("learner-1", [Role.LEARNER], 3600), int(time.time() * 1000))
        pipeline = settled(http, ops)

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            first = page.goto(f"{url}/ops")
            assert first is not None
            assert first.status == 401
            page.fill("#token", ops)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            assert page.locator("[data-figure=backlog]").count() == 1, page.content()
            assert page.url == f"{url}/ops"  # the token is not in the address

            shown = {k: page.inner_text(f"[data-figure={k}]") for k in FIGURES}
            assert shown == {k: str(pipeline[k]) for k in FIGURES}
            assert pipeline["rejected"] == 2
            assert pipeline["applied"] > 22
            assert page.locator("svg.chart[data-module-type=Video] rect.bar").count() == 72
            assert page.locator("svg.chart[data-module-type=QuestionSet] rect.bar").count() == 72
            banner = page.locator("header.banner")
            assert banner.inner_text().startswith("PRODUCTION")
            red = banner.evaluate("e => getComputedStyle(e).backgroundColor")
            assert red == "rgb(192, 18, 26)"
            assert page.locator("[data-alert=duplicate_rate_high]").count() == 1
            assert page.locator("[data-reconciliation] tbody tr").count() >= 2
            cookie = next(c for c in page.context.cookies() if c["name"] == "tracklog_ops_token")
            assert cookie["httpOnly"]
            assert cookie["sameSite"] == "Strict"

            page.reload()  # what the page's own refresh does: the cookie keeps it signed in
            assert page.inner_text("[data-figure=applied]") == str(pipeline["applied"])
            shot = tmp_path / "ops-page.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
            if os.environ.get("UPDATE_README_SCREENSHOT") == "1":
                shutil.copyfile(shot, README_SCREENSHOT)
            browser.close()
        assert http.get("/v1/ops/pipeline", headers=bearer(ops)).status_code == 200


def settled(http: httpx.Client, token: str) -> dict[str, Any]:
    """``/v1/ops/pipeline`` once the embedded worker has aggregated everything."""
    deadline = time.monotonic() + 15
    while True:
        body = http.get("/v1/ops/pipeline", headers=bearer(token)).json()["result"]
        if body["backlog"] == 0 or time.monotonic() > deadline:
            return dict(body)
        time.sleep(0.05)
