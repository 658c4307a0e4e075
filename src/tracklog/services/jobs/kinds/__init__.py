"""The job kinds, by name. A new kind (migration, backfill) is one class and one line here."""

from __future__ import annotations

from typing import Any

from tracklog.domain.errors import InvalidInput, MissingInput
from tracklog.domain.modes import Mode
from tracklog.services.jobs.kinds.purge import DAY_MS, PurgeOlderThan, PurgeUser
from tracklog.services.jobs.kinds.resync import RecomputeCollection, Resync
from tracklog.services.jobs.model import JobKind

KIND_NAMES = ("resync", "recompute-collection", "purge")


def build_kind(name: str, options: dict[str, Any], mode: Mode, now_ms: int) -> JobKind:
    """A kind from its name and options (CLI flags, or the arguments stored with a job)."""
    if name == "resync":
        return Resync(mode)
    if name == "recompute-collection":
        collection = options.get("collection")
        if not collection:
            raise MissingInput("recompute-collection needs --collection ID", field="collection")
        return RecomputeCollection(mode, str(collection))
    if name == "purge":
        return _purge(options, now_ms)
    raise InvalidInput(f"unknown job kind '{name}' (known: {', '.join(KIND_NAMES)})", field="kind")


def _purge(options: dict[str, Any], now_ms: int) -> JobKind:
    user, days = options.get("user"), options.get("olderThanDays")
    if (user is None) == (days is None):
        raise MissingInput(
            "purge needs exactly one of --user ID or --older-than DAYS", field="user"
        )
    if user is not None:
        return PurgeUser(str(user))
    if not isinstance(days, int) or days < 1:
        raise InvalidInput("--older-than must be a whole number of days >= 1", field="olderThan")
    cutoff = options.get("cutoffTs")
    return PurgeOlderThan(days, int(cutoff) if cutoff is not None else now_ms - days * DAY_MS)
