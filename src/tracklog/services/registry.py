"""The registry: collections (versioned), contexts, enrolments."""

from __future__ import annotations

import orjson

from tracklog.domain.errors import InvalidInput, NotFound
from tracklog.domain.model import Collection, Context, ContextType, Enrolment, EnrolmentKey
from tracklog.domain.modes import Mode, default_context
from tracklog.services import copying, moving, outbox
from tracklog.services.commands import Enrol, PutCollection, PutContext
from tracklog.services.deps import Deps
from tracklog.services.ports import UnitOfWork

_CACHE_TTL_S = 60


def _cache_key(collection_id: str) -> str:
    return f"tracklog:collection:{{{collection_id}}}"


def get_collection(deps: Deps, collection_id: str) -> Collection | None:
    """The current version, through the cache (write-through on every change)."""
    cached = deps.cache.get(_cache_key(collection_id))
    if cached is not None:
        return _decode(cached)
    with deps.store.reader() as uow:
        collection = uow.registry.collection(collection_id)
    if collection is not None:
        deps.cache.add(_cache_key(collection_id), _encode(collection), _CACHE_TTL_S)
    return collection


class CollectionLookup:
    """Collections looked up at most once per request."""

    def __init__(self, deps: Deps):
        self._deps = deps
        self._seen: dict[str, Collection | None] = {}

    def get(self, collection_id: str) -> Collection | None:
        if collection_id not in self._seen:
            self._seen[collection_id] = get_collection(self._deps, collection_id)
        return self._seen[collection_id]

    def module_type(self, collection_id: str | None, content_id: str) -> str | None:
        if collection_id is None:
            return None
        collection = self.get(collection_id)
        return collection.module_type_of(content_id) if collection else None

    def leaves(self, collection_id: str) -> frozenset[str]:
        collection = self.get(collection_id)
        return frozenset(collection.leaf_nodes) if collection else frozenset()


def put_collection(deps: Deps, actor: str, command: PutCollection) -> tuple[Collection, bool]:
    """Store a new version when anything changed; every new version recomputes summaries."""
    with deps.store.unit_of_work() as uow:
        current = uow.registry.collection(command.collection_id)
        candidate = Collection(
            collection_id=command.collection_id,
            version=(current.version + 1) if current else 1,
            leaf_nodes=command.leaf_nodes,
            optional_nodes=command.optional_nodes,
            name=command.name,
            type=command.type,
            module_types=command.module_types,
        )
        if current is not None and _same(current, candidate):
            return current, False
        uow.registry.add_collection_version(candidate)
        uow.registry.audit(
            actor,
            "collection.put",
            {"collectionId": candidate.collection_id},
            {"version": candidate.version, "leafNodes": list(candidate.leaf_nodes)},
        )
        _recompute_collection(uow, candidate.collection_id)
        key = _cache_key(candidate.collection_id)
        deps.cache.delete(key)  # before commit: a write that cannot invalidate is refused
        uow.after_commit(lambda: deps.cache.set(key, _encode(candidate), _CACHE_TTL_S))
        uow.after_commit(deps.wake_worker)
        uow.commit()
    return candidate, True


def _recompute_collection(uow: UnitOfWork, collection_id: str) -> None:
    """Every new version recomputes the collection's enrolments: leaves decide progress (and, in
    full-carry-forward and copy mode, what is read and copied), and a stored summary always names
    the version it was computed against."""
    enrolled = uow.registry.enrolments_in_collection(collection_id)
    outbox.add_enrolment_triggers(uow, [e.key for e in enrolled])


def put_context(deps: Deps, actor: str, command: PutContext) -> Context:
    try:
        context_type = ContextType(command.type)
    except ValueError:
        allowed = ", ".join(t.value for t in ContextType)
        raise InvalidInput(f"type must be one of: {allowed}", field="type") from None
    if command.start_ts and command.end_ts and command.end_ts < command.start_ts:
        raise InvalidInput("endDate must not be before startDate", field="endDate")
    context = Context(
        context_id=command.context_id,
        type=context_type,
        collection_ids=command.collection_ids,
        start_ts=command.start_ts,
        end_ts=command.end_ts,
    )
    with deps.store.unit_of_work() as uow:
        uow.registry.put_context(context)
        uow.registry.audit(
            actor,
            "context.put",
            {"contextId": context.context_id},
            {"collectionIds": list(context.collection_ids)},
        )
        uow.commit()
    return context


def get_context(deps: Deps, context_id: str) -> Context:
    with deps.store.reader() as uow:
        context = uow.registry.context(context_id)
    if context is None:
        raise NotFound(f"contextId '{context_id}' is not registered", field="contextId")
    return context


def enrol(deps: Deps, actor: str, command: Enrol) -> Enrolment:
    context_id = default_context(command.collection_id, command.context_id)
    key = EnrolmentKey(command.user_id, command.collection_id, context_id)
    with deps.store.unit_of_work() as uow:
        uow.lock_user(command.user_id)
        _check_enrolment_target(uow, key)
        existing = uow.registry.enrolment(key)
        if existing is not None and existing.active:
            return existing
        moved_to = existing.moved_to if existing else None
        enrolment = Enrolment(key=key, enrolled_ts=uow.now_ms, active=True, moved_to=moved_to)
        uow.registry.put_enrolment(enrolment)
        if actor != command.user_id:
            uow.registry.audit(actor, "enrol", _target(key))
        moved = _apply_mode_rules(deps, uow, key)
        outbox.add_enrolment_triggers(uow, [key, *moved])
        uow.after_commit(deps.wake_worker)
        uow.commit()
    return enrolment


def _apply_mode_rules(deps: Deps, uow: UnitOfWork, key: EnrolmentKey) -> list[EnrolmentKey]:
    """Copy or move rules of SPEC §4.1, in the enrolment's own transaction; the enrolments
    whose progress moved into ``key`` (their summaries are recomputed too)."""
    if deps.mode is Mode.MOVE:
        return moving.move_into(uow, key)
    if deps.mode is Mode.COPY:
        copying.copy_into_enrolment(uow, deps.copy_policy, key, enrolling=True)
    return []


def unenrol(deps: Deps, actor: str, command: Enrol) -> EnrolmentKey:
    context_id = default_context(command.collection_id, command.context_id)
    key = EnrolmentKey(command.user_id, command.collection_id, context_id)
    with deps.store.unit_of_work() as uow:
        if not uow.registry.deactivate_enrolment(key):
            raise NotFound(
                "no enrolment for this userId, collectionId and contextId", field="collectionId"
            )
        uow.registry.audit(actor, "unenrol", _target(key))
        uow.commit()
    return key


def _check_enrolment_target(uow: UnitOfWork, key: EnrolmentKey) -> None:
    if uow.registry.collection(key.collection_id) is None:
        raise NotFound(
            f"collectionId '{key.collection_id}' is not registered", field="collectionId"
        )
    if key.context_id == key.collection_id:
        return
    context = uow.registry.context(key.context_id)
    if context is None:
        raise NotFound(f"contextId '{key.context_id}' is not registered", field="contextId")
    if not context.covers(key.collection_id):
        raise InvalidInput(
            f"contextId '{key.context_id}' does not cover collectionId '{key.collection_id}'",
            field="contextId",
        )


def _target(key: EnrolmentKey) -> dict[str, str]:
    return {"userId": key.user_id, "collectionId": key.collection_id, "contextId": key.context_id}


def _same(a: Collection, b: Collection) -> bool:
    return (a.leaf_nodes, a.optional_nodes, a.name, a.type, a.module_types) == (
        b.leaf_nodes,
        b.optional_nodes,
        b.name,
        b.type,
        b.module_types,
    )


def _encode(collection: Collection) -> bytes:
    return orjson.dumps(
        {
            "collection_id": collection.collection_id,
            "version": collection.version,
            "leaf_nodes": list(collection.leaf_nodes),
            "optional_nodes": sorted(collection.optional_nodes),
            "name": collection.name,
            "type": collection.type,
            "module_types": collection.module_types,
        }
    )


def _decode(data: bytes) -> Collection:
    raw = orjson.loads(data)
    return Collection(
        collection_id=raw["collection_id"],
        version=raw["version"],
        leaf_nodes=tuple(raw["leaf_nodes"]),
        optional_nodes=frozenset(raw["optional_nodes"]),
        name=raw["name"],
        type=raw["type"],
        module_types=raw["module_types"],
    )
