"""The webhook notifier against a real HTTP receiver: retried on 5xx and lost connections,
not on a 4xx refusal, never blocking the caller, and never logging the URL's secret path."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from tracklog.adapters.webhook import WebhookNotifier


class Flaky(BaseHTTPRequestHandler):
    answers: list[int]
    bodies: list[dict[str, Any]]

    def do_POST(self) -> None:
        self.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(self.answers.pop(0) if self.answers else 204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[int], list[dict[str, Any]]]]:
    answers: list[int] = []
    bodies: list[dict[str, Any]] = []
    server = HTTPServer(
        ("127.0.0.1", 0), type("H", (Flaky,), {"answers": answers, "bodies": bodies})
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/services/T000/SECRET", answers, bodies
    server.shutdown()


def test_a_failing_receiver_is_retried_until_it_takes_the_alert(
    receiver: tuple[str, list[int], list[dict[str, Any]]], caplog: pytest.LogCaptureFixture
) -> None:
    url, answers, bodies = receiver
    answers.extend([503, 500])
    notifier = WebhookNotifier(url, backoff_s=0.01)
    started = time.monotonic()
    notifier.send({"alert": "dead_letters"})
    assert time.monotonic() - started < 0.05  # queued, not sent inline
    with caplog.at_level(logging.WARNING):
        notifier.close()
    assert [b["alert"] for b in bodies] == ["dead_letters"] * 3
    assert (notifier.delivered, notifier.failed) == (1, 0)
    failures = [r for r in caplog.records if r.getMessage() == "webhook POST failed"]
    assert [r.__dict__["problem"] for r in failures] == ["HTTP 503", "HTTP 500"]
    assert all("SECRET" not in str(vars(r)) for r in caplog.records)


def test_a_refusal_is_not_retried(receiver: tuple[str, list[int], list[dict[str, Any]]]) -> None:
    url, answers, bodies = receiver
    answers.append(400)
    notifier = WebhookNotifier(url, backoff_s=0.01)
    notifier.send({"alert": "x"})
    notifier.close()
    assert len(bodies) == 1
    assert (notifier.delivered, notifier.failed) == (0, 1)


def test_no_receiver_at_all_gives_up_after_the_retries() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe is closed
    notifier = WebhookNotifier(f"http://127.0.0.1:{port}/x", attempts=3, backoff_s=0.01)
    notifier.send({"alert": "x"})
    notifier.close()
    assert (notifier.delivered, notifier.failed) == (0, 1)
