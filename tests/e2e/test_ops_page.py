"""``/ops``, the ops page: HTML for ops and admin only, a token pasted once and kept in a
cookie only this page reads, the figures of ``/v1/ops/pipeline``, the alerts the monitor would
raise now, volumes per module type as SVG, jobs and the last reconciliation."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Api, MakeTracklog
from tests.e2e.checks import result
from tests.e2e.ops_traffic import FIGURE_KEYS, bearer, register_course, send_traffic, shown_figures
from tests.integration.migration.support import run
from tracklog.adapters.clock import ManualClock
from tracklog.adapters.legacy.demo_export import write_demo_export
from tracklog.adapters.tokens import TokenCodec
from tracklog.bootstrap import Tracklog
from tracklog.domain.access import Role
from tracklog.entrypoints.api.app import create_app
from tracklog.entrypoints.api.routes_ops_page import COOKIE
from tracklog.services.pipeline_status import reconciliation_mismatches
from tracklog.testing.fakes import T0


@pytest.fixture
def ops(api: Api) -> str:
    return api.token("ops-1", Role.OPS)


def page(api: Api, token: str) -> str:
    answer = api.client.get("/ops", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    return str(answer.text)


def served(instance: Tracklog) -> Api:
    client = TestClient(create_app(instance, manage_lifecycle=False))
    return Api(client, TokenCodec(instance.deps.settings))


def test_without_a_token_the_page_is_the_token_form_as_html(api: Api) -> None:
    answer = api.client.get("/ops")
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("text/html")
    assert '<form method="post" action="/ops"' in answer.text
    assert 'type="password"' in answer.text
    assert "data-problem" not in answer.text  # a first visit: no complaint yet
    assert answer.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in answer.headers["content-security-policy"]


def test_a_learner_is_refused_with_the_form_and_a_403(api: Api) -> None:
    by_header = api.client.get("/ops", headers=api.headers("learner-1", Role.LEARNER))
    assert by_header.status_code == 403
    assert 'data-problem="role"' in by_header.text
    assert "needs admin or ops" in by_header.text
    pasted = api.client.post("/ops", data={"token": api.token("learner-1")})
    assert pasted.status_code == 403
    assert '<form method="post"' in pasted.text
    assert COOKIE not in pasted.headers.get("set-cookie", "")


@pytest.mark.parametrize("role", [Role.OPS, Role.ADMIN])
def test_the_page_renders_for_ops_and_admin(api: Api, role: Role) -> None:
    html = page(api, api.token("someone", role))
    assert 'data-environment="development"' in html
    assert '<meta http-equiv="refresh" content="30">' in html
    assert "<script" not in html


def test_a_pasted_token_is_kept_in_an_httponly_strict_cookie_of_the_page_only(
    api: Api, ops: str
) -> None:
    pasted = api.client.post("/ops", data={"token": ops}, follow_redirects=False)
    assert pasted.status_code == 303
    assert pasted.headers["location"] == "/ops"  # the token is not in the address
    cookie = pasted.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}={ops};")
    assert {"httponly", "path=/ops", "samesite=strict"} <= {
        part.strip().lower() for part in cookie.split(";")
    }
    assert "secure" not in cookie.lower()  # plain http here; https sets Secure
    assert "max-age" not in cookie.lower()  # a session cookie
    again = api.client.get("/ops")  # the test client keeps the cookie, as a browser does
    assert again.status_code == 200
    assert "Forget the token" in again.text
    assert api.client.get("/v1/ops/pipeline").status_code == 401  # the API ignores the cookie
    forgotten = api.client.post("/ops/forget", follow_redirects=False)
    assert forgotten.status_code == 303
    assert api.client.get("/ops").status_code == 401


def test_a_bad_or_expired_token_gets_the_form_with_the_reason(api: Api) -> None:
    bad = api.client.post("/ops", data={"token": "not-a-jwt"})
    assert bad.status_code == 401
    assert "is invalid" in bad.text
    assert 'data-problem="token"' in bad.text
    expired = api.client.post("/ops", data={"token": api.token("ops-1", Role.OPS, ttl_s=-60)})
    assert expired.status_code == 401
    assert "has expired: paste a new one." in expired.text
    empty = api.client.post("/ops", content=b"", headers={"content-type": "text/plain"})
    assert empty.status_code == 401
    assert "Paste a token" in empty.text


def test_an_expired_token_in_the_cookie_is_dropped_and_the_form_says_why(api: Api) -> None:
    api.client.cookies.set(COOKIE, api.token("ops-1", Role.OPS, ttl_s=-60), path="/ops")
    answer = api.client.get("/ops")
    assert answer.status_code == 401
    assert "this page&#39;s cookie has expired: paste a new one." in answer.text
    assert f'{COOKIE}=""' in answer.headers["set-cookie"]  # deleted


def test_a_form_posted_from_another_site_sets_no_cookie(api: Api, ops: str) -> None:
    answer = api.client.post(
        "/ops", data={"token": ops}, headers={"origin": "https://evil.example"}
    )
    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers
    fetched = api.client.post("/ops", data={"token": ops}, headers={"sec-fetch-site": "cross-site"})
    assert fetched.status_code == 403
    assert "set-cookie" not in fetched.headers


def test_odd_input_never_gives_a_500(api: Api, ops: str) -> None:
    odd = [
        api.client.post("/ops", content=b"token=" + b"x" * 20_000),
        api.client.post("/ops", content=b"\xff\xfe=%%%&&&token"),
        api.client.post("/ops", content=b"&".join(b"a=1" for _ in range(50))),
        api.client.get("/ops", headers={"authorization": "Basic abc"}),
        api.client.get("/ops", headers={"cookie": f"{COOKIE}=\u00e9\u00e9".encode("latin-1")}),
    ]
    assert [r.status_code for r in odd] == [400, 401, 401, 401, 401]
    assert all(r.headers["content-type"].startswith("text/html") for r in odd)


def test_an_empty_database_says_so_in_every_section(api: Api, ops: str) -> None:
    html = page(api, ops)
    for marker in ("data-no-alert", "data-no-volume", "data-no-jobs", "data-no-reconciliation"):
        assert marker in html
    assert shown_figures(html)["backlog"] == "0"


def test_the_figures_are_those_of_the_pipeline_api(
    api: Api, ops: str, drain: Callable[[], int]
) -> None:
    register_course(api.client, api.token("admin-1", Role.ADMIN))
    send_traffic(api.client, api.token("learner-1"), int(time.time() * 1000))
    drain()  # a backlog of 0 and no lag: figures that cannot move between the two reads
    html = page(api, ops)
    pipeline = result(api.client.get("/v1/ops/pipeline", headers=bearer(ops)))
    shown = shown_figures(html)
    assert {k: shown[k] for k in FIGURE_KEYS} == {k: str(pipeline[k]) for k in FIGURE_KEYS}
    assert (pipeline["applied"], pipeline["duplicatesDropped"]) == (22, 6)
    assert (pipeline["conflicts"], pipeline["rejected"]) == (1, 2)
    charts = re.findall(r'<svg class="chart" data-module-type="([^"]+)"', html)
    assert charts == ["QuestionSet", "Video"]
    assert html.count('<rect class="bar') == 2 * 72  # 6 hours of 5-minute buckets
    assert "18 events (so far)" in html  # Video: 18 applied in the bucket in progress


def test_an_alert_the_monitor_would_raise_is_shown_and_no_sample_is_recorded(
    make_tracklog: MakeTracklog,
) -> None:
    clock = ManualClock(T0)
    instance = make_tracklog(clock=clock, alert_max_lag_seconds=30)
    api = served(instance)
    with api.client:
        register_course(api.client, api.token("admin-1", Role.ADMIN))
        api.post("/v1/view/start", {"contentId": "video-1", "collectionId": "course-1"})
        clock.advance(45_000)  # the trigger waits, no worker runs: lag 45 s
        html = page(api, api.token("ops-1", Role.OPS))
    assert "data-no-alert" not in html
    row = re.search(r'<tr data-alert="aggregation_lag_high">(.*?)</tr>', html, re.S)
    assert row is not None
    assert "sev-page" in row.group(1)
    assert "Aggregation lag is 45 s, above the 30 s limit" in row.group(1)
    with instance.deps.store.reader() as uow:
        assert uow.counts.recent_samples(10) == []  # looking changed nothing


def test_jobs_and_the_last_reconciliation_are_shown(
    api: Api, ops: str, tracklog: Tracklog, tmp_path: Path
) -> None:
    deps = tracklog.deps
    export = tmp_path / "export"
    write_demo_export(export, learners=3, hidden_backlog=True, pending_queue=True)
    migrated = run(deps, "migrate-legacy", export)
    checked = run(deps, "reconcile", export)
    with deps.store.unit_of_work() as uow:
        running = uow.jobs.create(
            {
                "kind": "resync",
                "args": {},
                "state": "running",
                "abort_requested": False,
                "actor": "ada",
                "host": "elsewhere",
                "pid": 1,
                "environment": "development",
                "batch_size": 10,
                "max_rate": None,
                "rows_total": 100,
                "changes": {},
            }
        )
        uow.jobs.update(running, rows_done=40, heartbeat_ts=uow.now_ms)
        uow.commit()
    html = page(api, ops)
    row = re.search(rf'<tr data-job="{running}">(.*?)</tr>', html, re.S)
    assert row is not None
    assert ">running<" in row.group(1)
    assert "40 / 100" in row.group(1)
    assert "(40%)" in row.group(1)
    done = re.search(rf'<tr data-job="{migrated.id}">(.*?)</tr>', html, re.S)
    assert done is not None
    assert ">finished<" in done.group(1)
    assert f"{migrated.rows_done} / {migrated.rows_total}" in done.group(1)
    assert f"Job {checked.id}, checked" in html
    found = reconciliation_mismatches(deps)
    assert found
    for module_type, counts in found.items():
        row = re.search(rf'<tr data-module-type="{module_type}">(.*?)</tr>', html, re.S)
        assert row is not None, module_type
        for name, count in counts.items():
            assert f'data-count="{name}">{count}<' in row.group(1)
    assert 'data-alert="reconciliation_mismatch"' in html


def test_everything_shown_is_escaped(api: Api, ops: str) -> None:
    admin = api.token("admin-1", Role.ADMIN)
    evil = '<script>alert("x")</script>'
    body = {"leafNodes": ["c1"], "moduleTypes": {"c1": evil}}
    api.client.put("/v1/collection/course-x", json={"request": body}, headers=bearer(admin))
    api.post("/v1/view/start", {"contentId": "c1", "collectionId": "course-x"})
    html = page(api, ops)
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_the_page_is_not_in_the_openapi_document(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/ops")]


def test_without_auth_in_development_the_page_needs_no_token(tracklog: Tracklog) -> None:
    with TestClient(create_app(tracklog, auth=False, manage_lifecycle=False)) as client:
        answer = client.get("/ops")
    assert answer.status_code == 200
    assert "data-figure" in answer.text


def test_over_https_the_cookie_is_secure(tracklog: Tracklog) -> None:
    app = create_app(tracklog, manage_lifecycle=False)
    token = TokenCodec(tracklog.deps.settings).mint("ops-1", [Role.OPS], 3600)
    with TestClient(app, base_url="https://testserver") as client:
        pasted = client.post("/ops", data={"token": token}, follow_redirects=False)
    assert pasted.status_code == 303
    assert "secure" in {part.strip().lower() for part in pasted.headers["set-cookie"].split(";")}
