"""A learner ("Rahul") and the maths registry of scenarios/modes.md, on an instance of one mode."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Api, MakeTracklog
from tracklog.adapters.clock import ManualClock
from tracklog.adapters.tokens import TokenCodec
from tracklog.bootstrap import Tracklog
from tracklog.entrypoints.api.app import create_app

NOW = 1_795_000_000_000  # 2026-11-18, the server's pinned clock
DAY = 86_400_000
RAHUL = "rahul"
C1, C2 = "class-1-maths", "class-2-maths"
SDA, DDA, TDA = "single-digit-addition", "double-digit-addition", "triple-digit-addition"


class World:
    """Steps and reads as the scenarios word them, through HTTP."""

    def __init__(self, api: Api, tracklog: Tracklog):
        self.api = api
        self.tracklog = tracklog
        self._events = itertools.count(1)  # thread-safe: tests complete from several threads

    def register(self, *, batch_1_end: int = NOW + 30 * DAY) -> None:
        self._put("/v1/collection/" + C1, {"leafNodes": [SDA, DDA, TDA]})
        self._put("/v1/collection/" + C2, {"leafNodes": [SDA, "fractions"]})
        self.context("batch-1", "batch", NOW - 200 * DAY, batch_1_end)
        self.context("batch-2", "batch", NOW - DAY, NOW + 60 * DAY)
        self.context("program-abc", "program", NOW - DAY, None)

    def context(self, context_id: str, type_: str, start: int, end: int | None) -> None:
        body: dict[str, Any] = {"type": type_, "collectionIds": [C1], "startDate": start}
        if end is not None:
            body["endDate"] = end
        self._put("/v1/context/" + context_id, body)

    def _put(self, path: str, body: dict[str, Any]) -> None:
        response = self.api.admin("PUT", path, body)
        assert response.status_code == 200, response.text

    def enrol(self, collection: str, context: str | None = None) -> dict[str, Any]:
        return self.ok("/v1/enrol", {"collectionId": collection, "contextId": context})

    def complete(
        self,
        content: str,
        collection: str | None = None,
        context: str | None = None,
        ts: int | None = None,
    ) -> dict[str, Any]:
        """``view/start`` then ``view/end``; the end's result (stored key and status)."""
        at = NOW if ts is None else ts
        key = {"contentId": content, "collectionId": collection, "contextId": context}
        self.ok("/v1/view/start", {**key, "eventId": self._next(), "eventTs": at})
        return self.ok("/v1/view/end", {**key, "eventId": self._next(), "eventTs": at + 60_000})

    def row(self, content: str, collection: str | None, context: str | None) -> dict[str, Any]:
        """The ``view/read`` row of ``content`` ({} when none)."""
        query = {"collectionId": collection, "contextId": context, "contentIds": [content]}
        rows = self.ok("/v1/view/read", query)["contents"]
        assert len(rows) <= 1, rows
        return rows[0] if rows else {}

    def organic(self, content: str) -> int:
        return int(self.row(content, None, None).get("status", 0))

    def status(self, content: str, collection: str, context: str | None) -> int:
        """Status from view/read, checked against summary/read (live) and the stored summary."""
        viewed = int(self.row(content, collection, context).get("status", 0))
        summary = self.ok("/v1/summary/read", {"collectionId": collection, "contextId": context})
        assert summary["summary"]["contentStatus"].get(content, 0) == viewed, summary
        self.drain()
        stored = self.stored_summary(collection, context or collection)
        if stored is not None:
            assert stored["contentStatus"].get(content, 0) == viewed, stored
        return viewed

    def stored_summary(self, collection: str, context: str) -> dict[str, Any] | None:
        # as an admin: the learner's own list is computed live, another user's is the stored one
        response = self.api.admin("GET", "/v1/summary/list/" + RAHUL)
        for item in response.json()["result"]["summary"]:
            if (item["collectionId"], item["contextId"]) == (collection, context):
                return dict(item)
        return None

    def drain(self) -> None:
        assert self.tracklog.worker is not None
        self.tracklog.worker.drain()

    def ok(self, path: str, request: dict[str, Any], user: str = RAHUL) -> dict[str, Any]:
        body = {k: v for k, v in request.items() if v is not None}
        response = self.api.post(path, body, user)
        assert response.status_code == 200, response.text
        return dict(response.json()["result"])

    def _next(self) -> str:
        return f"rahul-event-{next(self._events)}"


@contextmanager
def world_of(
    make_tracklog: MakeTracklog, mode: str, *, batch_1_end: int = NOW + 30 * DAY, **settings: Any
) -> Iterator[World]:
    """A fresh instance in ``mode`` (clock pinned at NOW) with the common registry set-up."""
    tracklog = make_tracklog(clock=ManualClock(NOW), mode=mode, **settings)
    with TestClient(create_app(tracklog, manage_lifecycle=False)) as client:
        world = World(Api(client, TokenCodec(tracklog.deps.settings)), tracklog)
        world.register(batch_1_end=batch_1_end)
        yield world
