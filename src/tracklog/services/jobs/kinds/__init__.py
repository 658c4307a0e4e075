"""The job kinds, by name: one registry entry per kind, with the options its command takes.

A new kind (migration, backfill, reconciliation) is one class and one ``KindSpec`` here; the CLI
builds ``tracklog jobs run <kind>`` with its options from this list, and a resume rebuilds the
kind from the arguments stored with the job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tracklog.domain.errors import InvalidInput, MissingInput

if TYPE_CHECKING:  # the kinds themselves load when built, so `--help` stays fast
    from tracklog.domain.modes import Mode
    from tracklog.services.deps import Deps
    from tracklog.services.jobs.model import JobKind
    from tracklog.services.ports import LegacyExport, LegacySource, ReaderOpener


@dataclass(frozen=True, slots=True)
class BuildContext:
    mode: Mode
    now_ms: int
    legacy: LegacySource | None = None  # opens legacy exports (migration, reconcile, backfill)
    open_reader: ReaderOpener | None = None  # the database again, in a helper process

    @classmethod
    def of(cls, deps: Deps, now_ms: int | None = None) -> BuildContext:
        now = deps.clock.now_ms() if now_ms is None else now_ms
        return cls(deps.mode, now, deps.legacy, deps.open_reader)


@dataclass(frozen=True, slots=True)
class KindOption:
    """One command-line option of a kind; ``name`` is how it is stored with the job."""

    name: str
    flag: str
    help: str
    type: type[str] | type[int] = str
    metavar: str = "VALUE"


@dataclass(frozen=True, slots=True)
class KindSpec:
    name: str
    help: str
    options: tuple[KindOption, ...]
    build: Callable[[dict[str, Any], BuildContext], JobKind]


def _resync(options: dict[str, Any], context: BuildContext) -> JobKind:
    from tracklog.services.jobs.kinds.resync import Resync

    return Resync(context.mode)


def _recompute(options: dict[str, Any], context: BuildContext) -> JobKind:
    from tracklog.services.jobs.kinds.resync import RecomputeCollection

    collection = options.get("collection")
    if not collection:
        raise MissingInput("recompute-collection needs --collection ID", field="collection")
    return RecomputeCollection(context.mode, str(collection))


def _purge(options: dict[str, Any], context: BuildContext) -> JobKind:
    from tracklog.services.jobs.kinds.purge import DAY_MS, PurgeOlderThan, PurgeUser

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
    return PurgeOlderThan(
        days, int(cutoff) if cutoff is not None else context.now_ms - days * DAY_MS
    )


def _export(options: dict[str, Any], context: BuildContext) -> LegacyExport:
    location = options.get("source")
    if not location:
        raise MissingInput("the legacy export folder is required: --from DIR", field="from")
    if context.legacy is None:
        raise InvalidInput("this instance cannot read legacy exports", field="from")
    export = context.legacy.open(str(location))
    export.check()
    return export


def _migrate(options: dict[str, Any], context: BuildContext) -> JobKind:
    from tracklog.services.jobs.kinds.migrate_legacy import MigrateLegacy

    return MigrateLegacy(context.mode, _export(options, context))


def _reconcile(options: dict[str, Any], context: BuildContext) -> JobKind:
    from tracklog.services.jobs.kinds.reconcile import Reconcile

    return Reconcile(context.mode, _export(options, context), context.open_reader)


def _backfill(options: dict[str, Any], context: BuildContext) -> JobKind:
    from tracklog.services.jobs.kinds.migrate_legacy import Backfill

    return Backfill(context.mode, _export(options, context))


FROM = KindOption("source", "--from", "The folder exported from Cassandra.", metavar="DIR")

KINDS: dict[str, KindSpec] = {
    spec.name: spec
    for spec in (
        KindSpec(
            "resync", "Recompute every active enrolment's summary from its records.", (), _resync
        ),
        KindSpec(
            "recompute-collection",
            "Recompute the summaries of one collection's enrolments.",
            (
                KindOption(
                    "collection", "--collection", "The collection to recompute.", metavar="ID"
                ),
            ),
            _recompute,
        ),
        KindSpec(
            "purge",
            "Erase one learner everywhere (--user), or raw events older than N days.",
            (
                KindOption("user", "--user", "The learner to erase.", metavar="ID"),
                KindOption(
                    "olderThanDays",
                    "--older-than",
                    "Raw journal events ingested more than this many days ago.",
                    int,
                    "DAYS",
                ),
            ),
            _purge,
        ),
        KindSpec(
            "migrate-legacy",
            "Import a Sunbird export (cqlsh COPY TO files, the pending queue): docs/migration.md.",
            (FROM,),
            _migrate,
        ),
        KindSpec(
            "reconcile",
            "Compare a legacy export with Tracklog per module type and day (writes nothing).",
            (FROM,),
            _reconcile,
        ),
        KindSpec(
            "backfill",
            "Apply what a reconciliation finds missing or different (the import's merge rules).",
            (FROM,),
            _backfill,
        ),
    )
}


def build_kind(name: str, options: dict[str, Any], context: BuildContext) -> JobKind:
    """A kind from its name and options (command-line flags, or the arguments of a job)."""
    spec = KINDS.get(name)
    if spec is None:
        known = ", ".join(KINDS)
        raise InvalidInput(f"unknown job kind '{name}' (known: {known})", field="kind")
    return spec.build(options, context)
