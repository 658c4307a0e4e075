"""Request bodies for HTTP load, as a Lua expression for wrk and the same in Python.

Both see ``prefix`` (unique per run), ``tid`` (generator thread), ``counter`` (per thread) and
``user`` (a learner number), so every view/update carries a fresh event id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Payload:
    path: str
    lua: str  # a Lua expression giving the body string

    def python(self, prefix: str, tid: int, counter: int, user: int) -> dict[str, Any]:
        return _PYTHON[self.path](prefix, tid, counter, user)


VIEW_UPDATE = Payload(
    "/v1/view/update",
    """string.format(
    '{"request":{"userId":"learner-%d","contentId":"course-0-item-%d","collectionId":"course-0",' ..
    '"eventId":"%s-%d-%d","eventTs":%d,"progress":%d,' ..
    '"progressDetails":{"position":%d,"device":"web"}}}',
    user, counter % 20, prefix, tid, counter, 1700000000000 + counter, counter % 99, counter)""",
)

VIEW_READ = Payload(
    "/v1/view/read",
    """string.format('{"request":{"userId":"learner-%d","collectionId":"course-%d"}}',
    user, counter % 3)""",
)

SUMMARY_READ = Payload(
    "/v1/summary/read",
    """string.format('{"request":{"userId":"learner-%d","collectionId":"course-%d"}}',
    user, counter % 3)""",
)


LEGACY_UPDATE = Payload(
    "/v1/content/state/update",
    """string.format(
    '{"request":{"userId":"learner-%d","contents":[{"contentId":"course-0-item-%d",' ..
    '"courseId":"course-0","batchId":"course-0","status":1,"progress":%d,' ..
    '"lastAccessTime":"2023-11-14 22:13:%02d:%03d+0000"}]}}',
    user, counter % 20, counter % 99, counter % 60, counter % 1000)""",
)


def _legacy_update(prefix: str, tid: int, counter: int, user: int) -> dict[str, Any]:
    access = f"2023-11-14 22:13:{counter % 60:02d}:{counter % 1000:03d}+0000"
    item = {
        "contentId": f"course-0-item-{counter % 20}",
        "courseId": "course-0",
        "batchId": "course-0",
        "status": 1,
        "progress": counter % 99,
        "lastAccessTime": access,
    }
    return {"request": {"userId": f"learner-{user}", "contents": [item]}}


def _update(prefix: str, tid: int, counter: int, user: int) -> dict[str, Any]:
    return {
        "request": {
            "userId": f"learner-{user}",
            "contentId": f"course-0-item-{counter % 20}",
            "collectionId": "course-0",
            "eventId": f"{prefix}-{tid}-{counter}",
            "eventTs": 1_700_000_000_000 + counter,
            "progress": counter % 99,
            "progressDetails": {"position": counter, "device": "web"},
        }
    }


def _read(prefix: str, tid: int, counter: int, user: int) -> dict[str, Any]:
    return {"request": {"userId": f"learner-{user}", "collectionId": f"course-{counter % 3}"}}


_PYTHON = {
    VIEW_UPDATE.path: _update,
    VIEW_READ.path: _read,
    SUMMARY_READ.path: _read,
    LEGACY_UPDATE.path: _legacy_update,
}
