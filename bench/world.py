"""A Tracklog database set up for a benchmark: collections registered, learners enrolled."""

from __future__ import annotations

from pathlib import Path

from bench.workload import Shape
from tracklog.adapters.store import tables
from tracklog.adapters.store.traits import SQLITE
from tracklog.adapters.store.upsert import chunks, upsert
from tracklog.adapters.tokens import TokenCodec
from tracklog.bootstrap import Tracklog
from tracklog.domain.access import Role
from tracklog.services import registry
from tracklog.services.commands import PutCollection
from tracklog.services.deps import Deps
from tracklog.settings import Settings
from tracklog.testing.adapters import sql
from tracklog.testing.instances import ready_instance

SECRET = "tracklog-benchmark-secret-0123456789abcdef"


def settings_for(db: Path, **overrides: object) -> Settings:
    """Settings as shipped (synchronous=FULL, embedded worker), on the given SQLite file."""
    values: dict[str, object] = {"database_url": f"sqlite:///{db}", "auth_jwt_secret": SECRET}
    values.update(overrides)
    return Settings.model_validate(values)


def environment_for(db: Path) -> dict[str, str]:
    """The same settings as ``TRACKLOG_*`` variables, for ``tracklog serve`` in a subprocess."""
    return {"TRACKLOG_DATABASE_URL": f"sqlite:///{db}", "TRACKLOG_AUTH_JWT_SECRET": SECRET}


def admin_token(settings: Settings) -> str:
    return TokenCodec(settings).mint("bench-admin", [Role.ADMIN, Role.REPORTER], 24 * 3600)


def register_collections(deps: Deps, shape: Shape) -> None:
    """The shape's courses, each with its contents, in the registry (any store)."""
    for collection in shape.collection_ids():
        command = PutCollection(collection, tuple(shape.content_ids(collection)), type="Course")
        registry.put_collection(deps, "bench", command)


def prepare(db: Path, shape: Shape, **overrides: object) -> Tracklog:
    """Create the schema, register the collections and enrol every learner in every collection."""
    instance = ready_instance(settings_for(db, **overrides))
    deps = instance.deps
    register_collections(deps, shape)
    with deps.store.unit_of_work() as uow:
        rows = [
            {
                "user_id": user,
                "collection_id": collection,
                "context_id": collection,
                "enrolled_ts": uow.now_ms,
                "active": True,
                "moved_to": None,
                "updated_ts": uow.now_ms,
            }
            for user in shape.user_ids()
            for collection in shape.collection_ids()
        ]
        for part in chunks(rows, 5000):
            upsert(sql(uow), SQLITE, tables.enrolments, part)  # bulk: put_enrolment is one by one
        uow.commit()
    return instance
