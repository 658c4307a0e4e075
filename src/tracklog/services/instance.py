"""The instance's database: is it there, is its schema this release's, which mode and environment
is it stamped with. Every entrypoint says which of these checks it needs; none happens as a side
effect of wiring (a read-only command on a mistyped path must not create a database)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tracklog.domain.modes import Mode, same_shape
from tracklog.services.deps import Deps
from tracklog.services.ports import Schema

log = logging.getLogger(__name__)
MODE, ENVIRONMENT = "mode", "environment"


class InstanceRefused(Exception):
    """The command must not go on; the message says why and how to proceed."""


@dataclass(frozen=True, slots=True)
class Revisions:
    database: str | None  # None: no schema yet (or no database at all: ``exists`` says which)
    release: str | None
    exists: bool


def revisions(deps: Deps, schema: Schema) -> Revisions:
    """The schema revision of the database and of this release; asking creates nothing."""
    if not schema.exists():
        return Revisions(None, schema.head_revision(), exists=False)
    return Revisions(schema.current_revision(), schema.head_revision(), exists=True)


def open_for_service(deps: Deps, schema: Schema) -> None:
    """``serve``, ``worker``, ``demo``, ``migrate``: an empty database gets the schema; otherwise
    it must be current. Stamps mode and environment at first start and refuses a database stamped
    with another mode or environment."""
    if schema.current_revision() is None:
        _upgrade(deps, schema)
    _require_current(deps, schema)
    _stamp(deps)
    _check_mode(deps)
    _check_environment(deps)


def upgrade_schema(deps: Deps, schema: Schema) -> str | None:
    """``tracklog db upgrade``: bring the schema to this release, stamp a new database."""
    _upgrade(deps, schema)
    _stamp(deps)
    return schema.current_revision()


def _upgrade(deps: Deps, schema: Schema) -> None:
    before = schema.current_revision()
    schema.upgrade()
    after = schema.current_revision()
    if after != before:
        database = deps.settings.database_kind
        revisions = {"from_revision": before, "to_revision": after, "database": database}
        log.info("database schema upgraded", extra=revisions)


def require_ready(deps: Deps, schema: Schema, *, check_mode: bool = True) -> None:
    """Every other command: the database exists, has this release's schema and (unless the
    command is about the mode) is stamped with the configured mode."""
    _require_database(deps, schema)
    if schema.current_revision() is None:
        raise InstanceRefused(
            f"the database {deps.store.masked_url()} has no Tracklog schema yet: check "
            "TRACKLOG_DATABASE_URL, or create it with `tracklog db upgrade`"
        )
    _require_current(deps, schema)
    if check_mode:
        _check_mode(deps)


def _require_database(deps: Deps, schema: Schema) -> None:
    if not schema.exists():
        raise InstanceRefused(
            f"there is no database at {deps.store.masked_url()}: check TRACKLOG_DATABASE_URL "
            "(nothing was created; `tracklog db upgrade` or `tracklog serve` create one)"
        )


def _require_current(deps: Deps, schema: Schema) -> None:
    current, head = schema.current_revision(), schema.head_revision()
    if current != head:
        raise InstanceRefused(
            f"the database {deps.store.masked_url()} is at schema revision {current}, this "
            f"release needs {head}: back it up, then run `tracklog db upgrade`"
        )


def _stamp(deps: Deps) -> None:
    with deps.store.unit_of_work() as uow:
        if uow.registry.stamp(MODE) is None:
            uow.registry.set_stamp(MODE, deps.settings.mode.value)
        if uow.registry.stamp(ENVIRONMENT) is None:
            uow.registry.set_stamp(ENVIRONMENT, deps.settings.environment.value)
        uow.commit()


def stamps(deps: Deps) -> tuple[str | None, str | None]:
    """(mode, environment) the database is stamped with."""
    with deps.store.reader() as uow:
        return uow.registry.stamp(MODE), uow.registry.stamp(ENVIRONMENT)


def _check_mode(deps: Deps) -> None:
    stamped, _ = stamps(deps)
    wanted = deps.settings.mode
    if stamped is None or stamped == wanted.value:
        return
    if stamped not in {m.value for m in Mode}:
        raise InstanceRefused(
            f"this database is stamped with mode '{stamped}', which this release does not know; "
            "run the release that wrote it"
        )
    raise InstanceRefused(mode_mismatch(Mode(stamped), wanted))


def _check_environment(deps: Deps) -> None:
    _, stamped = stamps(deps)
    configured = deps.settings.environment.value
    if stamped is not None and stamped != configured:
        raise InstanceRefused(
            f"TRACKLOG_ENVIRONMENT={configured} but the database {deps.store.masked_url()} is "
            f"stamped '{stamped}': refusing to serve another environment's data. Check "
            "TRACKLOG_DATABASE_URL and TRACKLOG_ENVIRONMENT."
        )


def mode_mismatch(stamped: Mode, wanted: Mode) -> str:
    """The refusal: what is wrong, and the documented ways to proceed."""
    head = (
        f"TRACKLOG_MODE={wanted.value} but this database holds data written in mode "
        f"'{stamped.value}'. Start with TRACKLOG_MODE={stamped.value}"
    )
    if same_shape(stored=stamped, wanted=wanted):
        how = (
            f", or, since both modes store data under the same keys, run "
            f"`TRACKLOG_MODE={wanted.value} tracklog mode adopt` to switch this database"
        )
    else:
        how = (
            "; the two modes store progress under different keys, so there is no in-place switch: "
            "start a new database in the new mode and re-import the data"
        )
    return head + how + " (see docs/modes.md, 'Changing the mode of an instance')."
