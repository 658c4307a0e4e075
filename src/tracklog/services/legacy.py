"""The legacy Sunbird content-state API on Tracklog's own services (decision 0900).

- ``update_content_state`` (``plan_update``, then the recording): each item of the request
  becomes one event (``domain.legacy_api``);
  the items whose batch does not take them, and those that cannot be read, are rejected with
  their code; everything goes through the one ingest path (``services.ingest``), which dedupes,
  merges, journals, triggers the summaries — and counts every rejection. The enrolment-sync form
  recomputes one enrolment's summary instead.
- ``read_content_state`` and ``list_courses`` read through ``reads`` and ``summaries``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from tracklog.domain.access import Action, Principal, acting_user
from tracklog.domain.errors import InvalidInput, TracklogError, UserMismatch
from tracklog.domain.ingest import Outcome, TrackEvent
from tracklog.domain.legacy_api import (
    ItemRef,
    LegacyItem,
    Parsed,
    Rejection,
    assessment_item,
    batch_problem,
    content_item,
)
from tracklog.domain.legacy_requests import (
    ItemsForm,
    StateQuery,
    SyncForm,
    batch_status,
    newest_attempts,
    update_form,
)
from tracklog.domain.model import (
    Attempt,
    ConsumptionRecord,
    Context,
    EnrolmentKey,
    Source,
    Summary,
)
from tracklog.domain.modes import default_context
from tracklog.services import ingest, reads, summaries
from tracklog.services.commands import InvalidEvent, ReadViews, RecordEvents, UpdateContentState
from tracklog.services.deps import Deps
from tracklog.services.ports import UnitOfWork
from tracklog.services.reads import ViewRow

NO_ENROLMENT = "INVALID_REQUESTED_DATA"  # lms-service's code for a sync without an enrolment


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """What happened to one item: applied or duplicate (both a success), or rejected."""

    ref: ItemRef
    outcome: Outcome
    error: TracklogError | None = None


@dataclass(frozen=True, slots=True)
class StateUpdated:
    items: tuple[ItemOutcome, ...]


@dataclass(frozen=True, slots=True)
class EnrolmentSynced:
    summary: Summary


@dataclass(frozen=True, slots=True)
class StateRow:
    """A record as the state read shows it; ``attempts`` only when scores were asked for."""

    view: ViewRow
    attempts: list[Attempt] | None


@dataclass(frozen=True, slots=True)
class CourseRow:
    """One enrolment of the enrolment list."""

    summary: Summary
    course_name: str | None
    context: Context | None
    batch_status: int | None
    last_read: ConsumptionRecord | None


Recorder = Callable[[RecordEvents], list[ingest.EventResult]]


@dataclass(frozen=True, slots=True)
class ItemsPlan:
    """An update's items as one ``RecordEvents`` per learner, ready to be recorded, and which
    item each of their results answers."""

    refs: tuple[ItemRef, ...]  # every item, in request order
    commands: tuple[RecordEvents, ...]
    positions: tuple[tuple[int, ...], ...]  # of each command's events among the items

    def outcome(self, results: Sequence[Sequence[ingest.EventResult]]) -> StateUpdated:
        """The request's outcome once each command has been recorded (``results`` in order)."""
        outcomes: dict[int, ItemOutcome] = {}
        for positions, answered in zip(self.positions, results, strict=True):
            for position, result in zip(positions, answered, strict=True):
                outcomes[position] = ItemOutcome(self.refs[position], result.outcome, result.error)
        return StateUpdated(tuple(outcomes[p] for p in range(len(self.refs))))


@dataclass(frozen=True, slots=True)
class EnrolmentSync:
    """The enrolment-sync form: recompute this enrolment's summary now (``sync_enrolment``)."""

    user_id: str
    form: SyncForm


def update_content_state(
    deps: Deps, command: UpdateContentState, record: Recorder | None = None
) -> StateUpdated | EnrolmentSynced:
    """``plan_update``, then each learner's items ingested by ``record`` (by default on their
    own; the API awaits its group commit instead)."""
    plan = plan_update(deps, command)
    if isinstance(plan, EnrolmentSync):
        return sync_enrolment(deps, plan.user_id, plan.form)
    recorder = record or partial(ingest.record_events, deps)
    return plan.outcome([recorder(c) for c in plan.commands])


def plan_update(deps: Deps, command: UpdateContentState) -> ItemsPlan | EnrolmentSync:
    """Which form the update is and, for items, what to record: each parsed, authorised and
    checked against its batch (a read of the batches named; nothing is written)."""
    form = update_form(command.body)
    if isinstance(form, SyncForm):
        return EnrolmentSync(acting_user(command.principal, command.user_id, Action.WRITE), form)
    return _plan_items(deps, command, form)


def sync_enrolment(deps: Deps, user_id: str, form: SyncForm) -> EnrolmentSynced:
    """Recompute and store the enrolment's summary now (the worker would do the same later)."""
    key = EnrolmentKey(user_id, form.course_id, default_context(form.course_id, form.batch_id))
    with deps.store.unit_of_work() as uow:
        uow.lock_user(user_id)
        enrolment = uow.registry.enrolment(key)
        if enrolment is None or not enrolment.active:
            raise InvalidInput(
                f"No enrolment found for userId '{user_id}' in courseId '{form.course_id}' "
                f"and batchId '{form.batch_id}'",
                field="batchId",
                code=NO_ENROLMENT,
            )
        outcome = summaries.recompute(uow, deps.mode, key)
        if outcome.completed_now:
            uow.after_commit(deps.telemetry.completed)
        uow.commit()
    return EnrolmentSynced(outcome.summary)


def _plan_items(deps: Deps, command: UpdateContentState, form: ItemsForm) -> ItemsPlan:
    count = len(form.contents) + len(form.assessments)
    who = command.principal
    user = _authorised(deps, count, who, command.user_id, None)
    parsed: list[Parsed] = [content_item(raw, i, user) for i, raw in enumerate(form.contents)]
    parsed += [assessment_item(raw, i, user) for i, raw in enumerate(form.assessments)]
    for item in parsed:  # all or nothing: an item for someone else refuses the whole request
        if item.user_id != user:
            _authorised(deps, count, who, item.user_id, item.ref)
    contexts = _contexts(deps, parsed)
    now = deps.clock.now_ms()
    by_user: dict[str, list[int]] = {}
    for position, item in enumerate(parsed):
        by_user.setdefault(item.user_id, []).append(position)
    commands = tuple(
        RecordEvents(user_id, tuple(_entry(parsed[p], contexts, now) for p in at), Source.LEGACY)
        for user_id, at in by_user.items()
    )
    positions = tuple(tuple(at) for at in by_user.values())
    return ItemsPlan(tuple(item.ref for item in parsed), commands, positions)


def _authorised(
    deps: Deps, count: int, principal: Principal, user_id: str | None, ref: ItemRef | None
) -> str:
    """Who the request (or the item at ``ref``) acts for; a refusal refuses every item of the
    request, and each of them is counted as rejected."""
    try:
        return _acting(principal, user_id, ref)
    except TracklogError as error:
        refused = [ingest.EventResult(None, Outcome.REJECTED, error=error)] * count
        ingest.count_outcomes(deps.telemetry, Source.LEGACY, refused)
        raise


def _acting(principal: Principal, user_id: str | None, ref: ItemRef | None) -> str:
    try:
        return acting_user(principal, user_id, Action.WRITE)
    except UserMismatch:
        if ref is None:
            raise
        field = f"{ref.where}.userId"
        raise UserMismatch(
            f"{field} '{user_id}' is not the token's user '{principal.user_id}'; "
            "nothing of this request was applied",
            field=field,
        ) from None


def _contexts(deps: Deps, parsed: Sequence[Parsed]) -> dict[str, Context | None]:
    batches = {
        item.event.context_id
        for item in parsed
        if isinstance(item, LegacyItem) and item.event.context_id is not None
    }
    if not batches:
        return {}
    with deps.store.reader() as uow:
        return {batch: uow.registry.context(batch) for batch in sorted(batches)}


def _entry(
    item: Parsed, contexts: dict[str, Context | None], now: int
) -> TrackEvent | InvalidEvent:
    if isinstance(item, Rejection):
        return InvalidEvent(item.error)
    batch = item.event.context_id
    problem = batch_problem(item, contexts.get(batch) if batch else None, now)
    if problem is not None:
        return InvalidEvent(problem, item.event.event_id)
    return item.event


def read_content_state(deps: Deps, user_id: str, query: StateQuery) -> list[StateRow]:
    """The learner's records of the course in the batch, with their attempts when asked."""
    views = reads.read_views(
        deps, ReadViews(user_id, query.course_id, query.batch_id, query.content_ids)
    )
    if not query.with_scores:
        return [StateRow(view, None) for view in views]
    assessed = reads.read_assessments(
        deps, user_id, query.course_id, query.batch_id, query.content_ids
    )
    attempts = {row.content_id: newest_attempts(row.attempts) for row in assessed}
    return [StateRow(view, attempts.get(view.record.key.content_id, [])) for view in views]


def list_courses(
    deps: Deps, user_id: str, *, live: bool, course_ids: frozenset[str] | None = None
) -> list[CourseRow]:
    """The user's active enrolments, most recently used first (as lms-service sorts them).

    ``live``: computed from the records now (the learner's own list: read-your-writes);
    otherwise the stored summaries (another user's list, a report)."""
    listed = summaries.list_summaries(deps, user_id, live=live)
    if course_ids:
        listed = [s for s in listed if s.key.collection_id in course_ids]
    now = deps.clock.now_ms()
    with deps.store.reader() as uow:
        rows = [_course_row(deps, uow, summary, now) for summary in listed]
    return sorted(rows, key=_recent_first)


def _course_row(deps: Deps, uow: UnitOfWork, summary: Summary, now: int) -> CourseRow:
    key = summary.key
    view = summaries.enrolment_view(uow, deps.mode, key)
    records = uow.tracking.records_in(key.user_id, view.scopes)
    last = max(records, key=lambda r: (r.last_access_ts or -1, r.key.content_id), default=None)
    context = uow.registry.context(key.context_id) if key.context_id != key.collection_id else None
    return CourseRow(
        summary=summary,
        course_name=view.collection.name if view.collection else None,
        context=context,
        batch_status=batch_status(context, now) if context else None,
        last_read=last,
    )


def _recent_first(row: CourseRow) -> tuple[int, int, str, str]:
    last = row.last_read.last_access_ts if row.last_read else None
    key = row.summary.key
    return (-(last or -1), -(row.summary.enrolled_ts or -1), key.collection_id, key.context_id)
