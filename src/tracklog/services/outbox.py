"""Outbox triggers that name an enrolment: "recompute this enrolment's summary"."""

from __future__ import annotations

from collections.abc import Iterable

from tracklog.domain.model import EnrolmentKey
from tracklog.domain.pipeline import ENROLMENT_TRIGGER, NewTrigger
from tracklog.services.ports import UnitOfWork


def enrolment_triggers(keys: Iterable[EnrolmentKey], now_ms: int) -> list[NewTrigger]:
    return [
        NewTrigger(k.user_id, k.collection_id, k.context_id, ENROLMENT_TRIGGER, now_ms)
        for k in keys
    ]


def add_enrolment_triggers(uow: UnitOfWork, keys: Iterable[EnrolmentKey]) -> None:
    uow.outbox.add(enrolment_triggers(keys, uow.now_ms))
