"""Queries over the registry (collections, contexts, enrolments), audit log, instance stamps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, literal_column, select, update

from tracklog.adapters.store import codec, tables
from tracklog.adapters.store.collection_cache import CollectionCache
from tracklog.adapters.store.driver_reads import fetch, fetch_mappings
from tracklog.adapters.store.traits import StoreTraits
from tracklog.adapters.store.upsert import chunks, upsert
from tracklog.domain.model import (
    Collection,
    Context,
    Enrolment,
    EnrolmentKey,
)

_COL = tables.collections.c
_CTX = tables.contexts.c
_E = tables.enrolments.c
_AUD = tables.audit_log.c


def _latest_of(*columns: Any) -> Select[Any]:
    """``columns`` of the collection's latest version (an index lookup)."""
    return (
        select(*columns)
        .where(_COL.collection_id == bindparam("collection_id"))
        .order_by(_COL.version.desc())
        .limit(1)
    )


# Built once: building a statement (and its cache key) per call cost more than running it.
_AT_ENROLMENT = and_(
    _E.user_id == bindparam("user_id"),
    _E.collection_id == bindparam("collection_id"),
    _E.context_id == bindparam("context_id"),
)
_LATEST_VERSION = _latest_of(_COL.version, _COL.created_ts)
_VERSION = select(tables.collections).where(
    _COL.collection_id == bindparam("collection_id"), _COL.version == bindparam("version")
)
_CONTEXT = select(tables.contexts).where(_CTX.context_id == bindparam("context_id"))
_ENROLMENT = select(tables.enrolments).where(_AT_ENROLMENT)
_ONE = select(literal_column("1").label("one")).subquery("one")
# A read's two registry lookups in one statement (one round trip on PostgreSQL): the latest
# version of the collection (as ``_LATEST_VERSION``), and the enrolment, or nulls.
_VERSION_AND_ENROLMENT = select(
    _latest_of(_COL.version).scalar_subquery().label("latest_version"),
    _latest_of(_COL.created_ts).scalar_subquery().label("latest_created_ts"),
    *(_E[name] for name in codec.ENROLMENT_VALUES),
).select_from(_ONE.outerjoin(tables.enrolments, _AT_ENROLMENT))
_ACTIVE_ENROLMENTS_OF = (
    select(tables.enrolments)
    .where(_E.user_id == bindparam("user_id"), _E.active.is_(True))
    .order_by(_E.collection_id, _E.context_id)
)
_ENROLMENTS_OF_USERS = select(*(_E[name] for name in codec.ENROLMENT_VALUES)).where(
    _E.user_id.in_(bindparam("user_ids", expanding=True))
)
_MOVED_OF_USERS = select(_E.user_id, _E.collection_id, _E.context_id, _E.moved_to).where(
    _E.user_id.in_(bindparam("user_ids", expanding=True)), _E.moved_to.is_not(None)
)


class RegistryRepository:
    def __init__(
        self,
        conn: Connection,
        traits: StoreTraits,
        now_ts: int,
        collections: CollectionCache | None = None,
    ):
        self._conn = conn
        self._traits = traits
        self._now = now_ts
        self._collections = collections or CollectionCache()

    # collections ---------------------------------------------------------------------------
    def collection(self, collection_id: str) -> Collection | None:
        found = fetch(self._conn, self._traits, _LATEST_VERSION, {"collection_id": collection_id})
        if not found:
            return None
        version, created_ts = found[0]
        return self._collection_at(collection_id, version, created_ts)

    def collection_and_enrolment(
        self, key: EnrolmentKey
    ) -> tuple[Collection | None, Enrolment | None]:
        params = {
            "user_id": key.user_id,
            "collection_id": key.collection_id,
            "context_id": key.context_id,
        }
        [row] = fetch(self._conn, self._traits, _VERSION_AND_ENROLMENT, params)
        version, created_ts, *enrolment = row
        collection = (
            None if version is None else self._collection_at(key.collection_id, version, created_ts)
        )
        return collection, None if enrolment[0] is None else codec.enrolment_from_values(enrolment)

    def _collection_at(self, collection_id: str, version: int, created_ts: int) -> Collection:
        """The collection's version ``version`` (remembered, or read and remembered)."""
        key = (collection_id, int(version), int(created_ts))
        known = self._collections.get(key)
        if known is not None:
            return known
        params = {"collection_id": collection_id, "version": version}
        [row] = fetch_mappings(self._conn, self._traits, _VERSION, params)
        collection = codec.collection_from_row(row)
        self._collections.put(key, collection)
        return collection

    def add_collection_version(self, collection: Collection) -> None:
        row = codec.collection_to_row(collection, self._now)
        self._conn.execute(tables.collections.insert().values(row))

    # contexts ------------------------------------------------------------------------------
    def context(self, context_id: str) -> Context | None:
        rows = fetch_mappings(self._conn, self._traits, _CONTEXT, {"context_id": context_id})
        return codec.context_from_row(rows[0]) if rows else None

    def put_context(self, context: Context) -> None:
        row = codec.context_to_row(context, self._now)
        upsert(self._conn, self._traits, tables.contexts, [row])

    # enrolments ----------------------------------------------------------------------------
    def enrolment(self, key: EnrolmentKey) -> Enrolment | None:
        params = {
            "user_id": key.user_id,
            "collection_id": key.collection_id,
            "context_id": key.context_id,
        }
        rows = fetch_mappings(self._conn, self._traits, _ENROLMENT, params)
        return codec.enrolment_from_row(rows[0]) if rows else None

    def enrolments_of(self, user_id: str, active_only: bool = True) -> list[Enrolment]:
        if active_only:
            rows = fetch_mappings(
                self._conn, self._traits, _ACTIVE_ENROLMENTS_OF, {"user_id": user_id}
            )
            return [codec.enrolment_from_row(row) for row in rows]
        query = select(tables.enrolments).where(_E.user_id == user_id)
        query = query.order_by(_E.collection_id, _E.context_id)
        return [codec.enrolment_from_row(row) for row in self._conn.execute(query).mappings()]

    def enrolments_of_users(self, user_ids: Sequence[str]) -> list[Enrolment]:
        """Every enrolment (active or not) of these learners."""
        found: list[Enrolment] = []
        for part in chunks(sorted(set(user_ids)), 500):
            params = {"user_ids": list(part)}
            rows = fetch(self._conn, self._traits, _ENROLMENTS_OF_USERS, params)
            found.extend(codec.enrolment_from_values(row) for row in rows)
        return found

    def enrolments_in_collection(self, collection_id: str) -> list[Enrolment]:
        query = select(tables.enrolments).where(
            _E.collection_id == collection_id, _E.active.is_(True)
        )
        return [codec.enrolment_from_row(row) for row in self._conn.execute(query).mappings()]

    def put_enrolment(self, enrolment: Enrolment) -> None:
        row = codec.enrolment_to_row(enrolment, self._now)
        upsert(self._conn, self._traits, tables.enrolments, [row])

    def moved_enrolments(self, user_id: str) -> dict[tuple[str, str], str]:
        """(collection, context) -> the context its progress moved to, for this user."""
        query = select(_E.collection_id, _E.context_id, _E.moved_to).where(
            _E.user_id == user_id, _E.moved_to.is_not(None)
        )
        return {(r.collection_id, r.context_id): r.moved_to for r in self._conn.execute(query)}

    def moved_enrolments_of(self, user_ids: Sequence[str]) -> dict[str, dict[tuple[str, str], str]]:
        """``moved_enrolments`` of several learners, in one query per 500 of them."""
        moved: dict[str, dict[tuple[str, str], str]] = {user: {} for user in user_ids}
        for part in chunks(sorted(set(user_ids))):
            params = {"user_ids": list(part)}
            for user_id, collection_id, context_id, moved_to in fetch(
                self._conn, self._traits, _MOVED_OF_USERS, params
            ):
                moved[user_id][(collection_id, context_id)] = moved_to
        return moved

    def point_enrolments(self, source: EnrolmentKey, to_context: str) -> None:
        """``source`` (and whatever already pointed at it) now reads through ``to_context``."""
        same_collection = (_E.user_id == source.user_id, _E.collection_id == source.collection_id)
        self._conn.execute(
            update(tables.enrolments)
            .where(*same_collection, _E.moved_to == source.context_id)
            .values(moved_to=to_context, updated_ts=self._now)
        )
        self._conn.execute(
            update(tables.enrolments)
            .where(*same_collection, _E.context_id == source.context_id)
            .values(moved_to=to_context, updated_ts=self._now)
        )
        self._conn.execute(  # the new home holds its own progress: it points nowhere
            update(tables.enrolments)
            .where(*same_collection, _E.context_id == to_context)
            .values(moved_to=None, updated_ts=self._now)
        )

    def deactivate_enrolment(self, key: EnrolmentKey) -> bool:
        result = self._conn.execute(
            update(tables.enrolments)
            .where(
                _E.user_id == key.user_id,
                _E.collection_id == key.collection_id,
                _E.context_id == key.context_id,
            )
            .values(active=False, updated_ts=self._now)
        )
        return result.rowcount > 0

    # audit and instance stamps -------------------------------------------------------------
    def audit(self, actor: str, action: str, target: dict[str, Any], details: Any = None) -> None:
        self._conn.execute(
            tables.audit_log.insert().values(
                at_ts=self._now, actor=actor, action=action, target=target, details=details
            )
        )

    def audit_entries(self, limit: int = 100) -> list[dict[str, Any]]:
        query = select(tables.audit_log).order_by(_AUD.id.desc()).limit(limit)
        return [dict(row) for row in self._conn.execute(query).mappings()]

    def stamp(self, name: str) -> str | None:
        query = select(tables.instance.c.value).where(tables.instance.c.name == name)
        row = self._conn.execute(query).first()
        return None if row is None else str(row[0])

    def set_stamp(self, name: str, value: str) -> None:
        upsert(
            self._conn,
            self._traits,
            tables.instance,
            [{"name": name, "value": value, "set_ts": self._now}],
        )
