"""Items sorted into partitions on local disk, so that a job can hold one partition in memory
at a time instead of everything it read (the reconciliation of a large export).

Items are plain values (tuples, lists, dicts, strings, numbers, ``None``): they are buffered per
partition and written in chunks with ``marshal`` (each chunk after its length),
several times cheaper per item than pickling each one. Each partition is a file in a temporary
folder of this process, removed when the spill is closed or garbage-collected; a resumed job
spills again from its source."""

from __future__ import annotations

import marshal
import shutil
import struct
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

BUFFERED = 64_000  # items held in all, spread over the partitions, before they are written
_LENGTH = struct.Struct("<I")  # each written chunk: its length, then its marshalled items


class PartitionSpill:
    def __init__(self, partitions: int, folder: Path | None = None):
        """A spill in a temporary folder of its own, or in ``folder`` (which the caller owns:
        a helper process spilling its share for another process to ``absorb``)."""
        self._owned: tempfile.TemporaryDirectory[str] | None = None
        if folder is None:
            self._owned = tempfile.TemporaryDirectory(prefix="tracklog-spill-")
            folder = Path(self._owned.name)
        self.folder = folder
        self.partitions = partitions
        self._per_partition = max(100, BUFFERED // partitions)
        self._buffers: dict[int, list[Any]] = {}

    def partition_of(self, key: str) -> int:
        """The partition of a key (a learner id): stable across processes and runs."""
        return zlib.crc32(key.encode()) % self.partitions

    def add(self, partition: int, item: Any) -> None:
        buffer = self._buffers.get(partition)
        if buffer is None:
            self._path(partition)  # refuses a partition outside the range
            buffer = self._buffers[partition] = []
        buffer.append(item)
        if len(buffer) >= self._per_partition:
            self._flush(partition)

    def replace(self, partition: int, items: Iterable[Any]) -> None:
        """The partition's items, from now on, are these."""
        self._buffers.pop(partition, None)
        self._path(partition).unlink(missing_ok=True)
        for item in items:
            self.add(partition, item)

    def read(self, partition: int) -> Iterator[Any]:
        self._flush(partition)
        path = self._path(partition)
        if not path.exists():
            return
        with path.open("rb") as reader:
            while header := reader.read(_LENGTH.size):
                (length,) = _LENGTH.unpack(header)
                yield from marshal.loads(reader.read(length))

    def flush(self) -> None:
        """Everything added so far, on disk."""
        for partition in list(self._buffers):
            self._flush(partition)

    def absorb(self, folder: Path) -> None:
        """Add the items another spill of as many partitions wrote to ``folder`` (appended:
        each written chunk carries its own length, so the files simply follow each other)."""
        self.flush()
        for partition in range(self.partitions):
            theirs = folder / f"{partition}.spill"
            if theirs.exists():
                with theirs.open("rb") as reader, self._path(partition).open("ab") as writer:
                    shutil.copyfileobj(reader, writer)  # in pieces, not the file in memory

    def close(self) -> None:
        self._buffers.clear()
        if self._owned is not None:
            self._owned.cleanup()

    def _flush(self, partition: int) -> None:
        buffer = self._buffers.pop(partition, None)
        if buffer:
            data = marshal.dumps(buffer)
            with self._path(partition).open("ab") as writer:
                writer.write(_LENGTH.pack(len(data)) + data)

    def _path(self, partition: int) -> Path:
        if not 0 <= partition < self.partitions:
            raise ValueError(f"partition {partition} outside 0..{self.partitions - 1}")
        return self.folder / f"{partition}.spill"
