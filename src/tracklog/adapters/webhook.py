"""Alert notifications as JSON POSTs to a webhook (Slack/Teams/Alertmanager-style receivers,
or any HTTP endpoint), sent from a background thread so the monitor never waits on them.

The standard library's ``urllib`` is enough for one POST with a timeout; no HTTP client is
added for it. A failed POST (no connection, a timeout, a 5xx or 429) is retried with a growing
pause; a 4xx other than 429 is the receiver refusing the body, logged and not retried."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)


class WebhookNotifier:
    def __init__(
        self, url: str, *, attempts: int = 4, timeout_s: float = 5.0, backoff_s: float = 0.5
    ):
        self.url = url
        self._attempts = attempts
        self._timeout = timeout_s
        self._backoff = backoff_s
        self._queue: queue.Queue[Mapping[str, Any] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="tracklog-webhook", daemon=True)
        self._thread.start()
        self.delivered = 0
        self.failed = 0

    def send(self, payload: Mapping[str, Any]) -> None:
        """Queue one notification; returns at once."""
        self._queue.put(payload)

    def close(self, timeout_s: float = 30.0) -> None:
        """Deliver what is queued (each POST still bounded by its retries), then stop."""
        self._queue.put(None)
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.warning("webhook deliveries still pending at exit", extra={"url": _host(self.url)})

    def _run(self) -> None:
        while (payload := self._queue.get()) is not None:
            if self._deliver(payload):
                self.delivered += 1
            else:
                self.failed += 1

    def _deliver(self, payload: Mapping[str, Any]) -> bool:
        body = json.dumps(payload).encode()
        for attempt in range(1, self._attempts + 1):
            problem = self._post(body)
            if problem is None:
                return True
            retry = problem != "refused" and attempt < self._attempts
            log.warning(
                "webhook POST failed",
                extra={"url": _host(self.url), "attempt": attempt, "problem": problem},
            )
            if not retry:
                return False
            time.sleep(self._backoff * 2 ** (attempt - 1))
        return False

    def _post(self, body: bytes) -> str | None:
        """None when delivered; else what went wrong ("refused": not worth retrying)."""
        request = urllib.request.Request(
            self.url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                response.read()
            return None
        except urllib.error.HTTPError as error:
            if error.code == 429 or error.code >= 500:
                return f"HTTP {error.code}"
            return "refused"
        except (urllib.error.URLError, OSError, TimeoutError) as error:
            return type(error).__name__


def _host(url: str) -> str:
    """The URL without its path and query (a chat webhook's path is its secret)."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"
