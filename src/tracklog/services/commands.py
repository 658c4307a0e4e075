"""Commands: what a client asks Tracklog to do, already parsed and type-checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tracklog.domain.access import Principal
from tracklog.domain.errors import TracklogError
from tracklog.domain.ingest import TrackEvent
from tracklog.domain.model import Source


@dataclass(frozen=True, slots=True)
class InvalidEvent:
    """An event of a batch that could not even be read (wrong types, missing fields): it is
    rejected with this error, counted, and reported in its place."""

    error: TracklogError
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class RecordEvents:
    """Apply a batch of one learner's events (a single view call is a batch of one)."""

    user_id: str
    events: tuple[TrackEvent | InvalidEvent, ...]
    source: Source = Source.API


@dataclass(frozen=True, slots=True)
class ReadViews:
    user_id: str
    collection_id: str | None = None
    context_id: str | None = None
    content_ids: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class PutCollection:
    collection_id: str
    leaf_nodes: tuple[str, ...]
    optional_nodes: frozenset[str] = frozenset()
    name: str | None = None
    type: str | None = None
    module_types: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PutContext:
    context_id: str
    type: str
    collection_ids: tuple[str, ...]
    start_ts: int | None = None
    end_ts: int | None = None


@dataclass(frozen=True, slots=True)
class Enrol:
    user_id: str
    collection_id: str
    context_id: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateContentState:
    """A legacy ``content/state/update`` body (its top-level types checked), from ``principal``.

    ``user_id`` is the body's ``userId`` (``None``: the caller's own user)."""

    principal: Principal
    user_id: str | None
    body: Mapping[str, Any]
