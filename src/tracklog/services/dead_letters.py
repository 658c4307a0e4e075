"""Dead letters: aggregation work that kept failing, listed with its error and replayed once
its cause is fixed (``tracklog dlq list|replay``)."""

from __future__ import annotations

from collections.abc import Sequence

from tracklog.domain.errors import NotFound
from tracklog.domain.pipeline import DeadLetter, NewTrigger
from tracklog.services.deps import Deps


def list_dead_letters(deps: Deps, limit: int = 1000) -> list[DeadLetter]:
    with deps.store.reader() as uow:
        return uow.dead_letters.oldest(limit)


def replay_dead_letters(deps: Deps, ids: Sequence[int] | None = None) -> int:
    """Put dead letters back into the outbox (attempts reset). Unknown ids are an error, and
    then nothing is replayed."""
    with deps.store.unit_of_work() as uow:
        letters = uow.dead_letters.take(ids)
        missing = sorted(set(ids or ()) - {d.id for d in letters})
        if missing:
            raise NotFound(
                f"no dead letter with id {', '.join(map(str, missing))}; "
                "`tracklog dlq list` shows them",
                field="id",
            )
        uow.outbox.add(
            [
                NewTrigger(d.user_id, d.collection_id, d.context_id, d.content_id, uow.now_ms)
                for d in letters
            ]
        )
        uow.after_commit(deps.wake_worker)
        uow.commit()
    return len(letters)
