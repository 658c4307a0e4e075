"""The job journal: before-images saved with each batch, and the rollback that restores them."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table

from tracklog.adapters.store.jobs_repo import Image
from tracklog.adapters.store.rows import Key, full_row, key_of, row_hash, table_named
from tracklog.adapters.store.unit_of_work import UnitOfWork
from tracklog.services.jobs.model import RowChange

RESTORED, CONFLICT = "restored", "conflict"


def apply_changes(
    uow: UnitOfWork, job_id: int, batch_no: int, changes: Sequence[RowChange]
) -> Counter[str]:
    """Save the before-images, then write the changes; all in the caller's transaction."""
    keyed = [c for c in changes if c.key is not None]
    uow.jobs.add_images([_image(job_id, batch_no, i, c) for i, c in enumerate(keyed)])
    for table, group in _by_table(keyed).items():
        uow.rows.remove(table, [c.key for c in group if c.after is None and c.key is not None])
        uow.rows.put(table, [c.after for c in group if c.after is not None])
    inserted = [
        RowChange(c.table, key_of(c.table, row), None, row)
        for c in changes
        if c.key is None and c.after is not None
        for row in [uow.rows.insert_new(c.table, c.after)]
    ]
    start = len(keyed)
    uow.jobs.add_images([_image(job_id, batch_no, start + i, c) for i, c in enumerate(inserted)])
    return Counter(f"{c.table.name}.{c.operation}" for c in changes)


def _image(job_id: int, batch_no: int, idx: int, change: RowChange) -> dict[str, Any]:
    assert change.key is not None
    after = full_row(change.table, change.after) if change.after is not None else None
    return {
        "job_id": job_id,
        "batch_no": batch_no,
        "idx": idx,
        "table_name": change.table.name,
        "row_key": list(change.key),
        "before": change.before,
        "before_hash": row_hash(change.before),
        "after_hash": row_hash(after),
        "outcome": None,
    }


def _by_table(changes: Sequence[RowChange]) -> dict[Table, list[RowChange]]:
    groups: dict[Table, list[RowChange]] = defaultdict(list)
    for change in changes:
        groups[change.table].append(change)
    return groups


class RollbackMismatch(Exception):
    """A restored row does not hash to its before-image: the batch was not committed."""


@dataclass
class RollbackStep:
    restored: int = 0
    conflicts: list[Image] = field(default_factory=list)
    digest: str = ""


def restore_images(uow: UnitOfWork, images: Sequence[Image]) -> RollbackStep:
    """Put back each row the job changed, unless live traffic changed it since (a conflict)."""
    step = RollbackStep()
    by_table: dict[str, list[Image]] = defaultdict(list)
    for image in images:
        by_table[image.table_name].append(image)
    restored: list[Image] = []
    for name, group in by_table.items():
        table = table_named(name)
        current = uow.rows.fetch(table, [tuple(i.row_key) for i in group])
        for image in group:
            if row_hash(current.get(tuple(image.row_key))) == image.after_hash:
                restored.append(image)
            else:
                step.conflicts.append(image)
        _restore(uow, table, [i for i in restored if i.table_name == name])
    step.digest = verify(uow, restored)
    step.restored = len(restored)
    return step


def _restore(uow: UnitOfWork, table: Table, images: Sequence[Image]) -> None:
    uow.rows.remove(table, [tuple(i.row_key) for i in images if i.before is None])
    uow.rows.put(table, [i.before for i in images if i.before is not None])


def verify(uow: UnitOfWork, images: Sequence[Image]) -> str:
    """Re-read the restored rows; each must hash to its before-image. Returns their checksum."""
    digest = hashlib.blake2b(digest_size=16)
    by_table: dict[str, list[Image]] = defaultdict(list)
    for image in images:
        by_table[image.table_name].append(image)
    for name, group in by_table.items():
        keys: list[Key] = [tuple(i.row_key) for i in group]
        current = uow.rows.fetch(table_named(name), keys)
        for image, key in zip(group, keys, strict=True):
            found = row_hash(current.get(key))
            if found != image.before_hash:
                raise RollbackMismatch(f"{name} {list(key)}: restored {found}, expected before")
            digest.update((found or "absent").encode())
    return digest.hexdigest()
