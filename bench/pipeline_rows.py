"""The rows Tracklog writes for one event, built without Tracklog (for the raw baselines)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracklog.domain.pipeline import partition_of


def record_row(user: str, event: dict[str, Any], now: int) -> dict[str, Any]:
    done = event["type"] == "end"
    ts = event["eventTs"]
    details = event.get("progressDetails")
    return {
        "user_id": user,
        "collection_id": event["collectionId"],
        "context_id": event["collectionId"],
        "content_id": event["contentId"],
        "status": 2 if done else 1,
        "progress": 100 if done else event.get("progress") or 0,
        "progress_details": details,
        "progress_details_ts": ts if details is not None else None,
        "progress_details_event": event["eventId"] if details is not None else "",
        "start_count": 1 if event["type"] == "start" else 0,
        "completed_count": 1 if done else 0,
        "event_count": 1,
        "first_access_ts": ts,
        "last_access_ts": ts,
        "first_completed_ts": ts if done else None,
        "last_completed_ts": ts if done else None,
        "provenance": {"kind": "direct"},
        "updated_ts": now,
    }


def journal_row(user: str, event: dict[str, Any], now: int) -> dict[str, Any]:
    return {
        "user_id": user,
        "event_id": event["eventId"],
        "payload_hash": "0" * 32,
        "type": event["type"],
        "collection_id": event["collectionId"],
        "context_id": event["collectionId"],
        "content_id": event["contentId"],
        "module_type": None,
        "source": "sync",
        "event_ts": event["eventTs"],
        "ingested_ts": now,
    }


def outbox_rows(user: str, events: Sequence[dict[str, Any]], now: int) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str], int] = {}
    for event in events:
        key = (event["collectionId"], event["contentId"])
        counts[key] = counts.get(key, 0) + 1
    return [
        {
            "partition": partition_of(user),
            "user_id": user,
            "collection_id": collection,
            "context_id": collection,
            "content_id": content,
            "event_count": count,
            "created_ts": now,
            "attempts": 0,
        }
        for (collection, content), count in sorted(counts.items())
    ]
