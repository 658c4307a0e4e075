"""The job journal: each batch's before-images, saved in the batch's own transaction, and the
rollback that puts them back unless live traffic has changed a row since.

A batch's images are one journal record (a JSON list): the per-row cost of journalling is a
JSON encoding, not a database row, so a job and its rollback keep pace with the batch writes.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tracklog.domain.jobs import Key, RowChange
from tracklog.services.ports import JobRows, UnitOfWork

Image = dict[str, Any]  # {"table", "key", "before", "beforeHash", "afterHash"}


def apply_changes(
    uow: UnitOfWork, job_id: int, batch_no: int, changes: Sequence[RowChange]
) -> Counter[str]:
    """Save the before-images, then write the changes; all in the caller's transaction."""
    rows = uow.job_rows
    keyed = [c for c in changes if c.key is not None]
    uow.jobs.add_images(job_id, batch_no, [_image(rows, c) for c in keyed])
    for table, group in _by_table(keyed).items():
        rows.remove(table, [c.key for c in group if c.after is None and c.key is not None])
        rows.put(table, [c.after for c in group if c.after is not None])
    inserted = [
        RowChange(c.table, rows.key_of(c.table, row), None, row)
        for c in changes
        if c.key is None and c.after is not None
        for row in [rows.insert_new(c.table, c.after)]
    ]
    if inserted:  # rows whose key the database assigned: journalled once they have one
        uow.jobs.extend_images(job_id, batch_no, [_image(rows, c) for c in inserted])
    return Counter(f"{c.table}.{c.operation}" for c in changes)


def _image(rows: JobRows, change: RowChange) -> Image:
    assert change.key is not None
    after = rows.full_row(change.table, change.after) if change.after is not None else None
    return {
        "table": change.table,
        "key": list(change.key),
        "before": change.before,
        "beforeHash": rows.row_hash(change.before),
        "afterHash": rows.row_hash(after),
    }


def _by_table(changes: Sequence[RowChange]) -> dict[str, list[RowChange]]:
    groups: dict[str, list[RowChange]] = defaultdict(list)
    for change in changes:
        groups[change.table].append(change)
    return groups


class RollbackMismatch(Exception):
    """A restored row does not hash to its before-image: the batch is not committed."""


@dataclass
class RollbackStep:
    restored: int = 0
    conflicts: list[Image] = field(default_factory=list)
    digest: str = ""


def restore_images(uow: UnitOfWork, images: Sequence[Image]) -> RollbackStep:
    """Put back each row a batch changed, unless live traffic changed it since (a conflict)."""
    rows = uow.job_rows
    step = RollbackStep()
    by_table: dict[str, list[Image]] = defaultdict(list)
    for image in images:
        by_table[image["table"]].append(image)
    restored: list[Image] = []
    for table, group in by_table.items():
        current = rows.fetch(table, [tuple(i["key"]) for i in group])
        mine = []
        for image in group:
            if rows.row_hash(current.get(tuple(image["key"]))) == image["afterHash"]:
                mine.append(image)
            else:
                step.conflicts.append(image)
        rows.remove(table, [tuple(i["key"]) for i in mine if i["before"] is None])
        rows.put(table, [i["before"] for i in mine if i["before"] is not None])
        restored.extend(mine)
    step.digest = verify(uow, restored)
    step.restored = len(restored)
    return step


def verify(uow: UnitOfWork, images: Sequence[Image]) -> str:
    """Re-read the restored rows; each must hash to its before-image. Returns their checksum."""
    rows = uow.job_rows
    digest = hashlib.blake2b(digest_size=16)
    by_table: dict[str, list[Image]] = defaultdict(list)
    for image in images:
        by_table[image["table"]].append(image)
    for table, group in by_table.items():
        keys: list[Key] = [tuple(i["key"]) for i in group]
        current = rows.fetch(table, keys)
        for image, key in zip(group, keys, strict=True):
            found = rows.row_hash(current.get(key))
            if found != image["beforeHash"]:
                raise RollbackMismatch(f"{table} {list(key)}: restored row differs from its image")
            digest.update((found or "absent").encode())
    return digest.hexdigest()
