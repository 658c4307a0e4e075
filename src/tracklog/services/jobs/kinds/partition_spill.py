"""Items sorted into partitions on local disk, so that a job can hold one partition in memory
at a time instead of everything it read (the reconciliation of a large export).

Each partition is a file of pickled items in a temporary folder of this process, removed when
the spill is closed or garbage-collected; a resumed job spills again from its source."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any


class PartitionSpill:
    def __init__(self, partitions: int):
        self._folder = tempfile.TemporaryDirectory(prefix="tracklog-spill-")
        self._partitions = partitions
        self._writers: dict[int, IO[bytes]] = {}

    def add(self, partition: int, item: Any) -> None:
        writer = self._writers.get(partition)
        if writer is None:
            writer = self._writers[partition] = self._path(partition).open("ab")
        pickle.dump(item, writer, protocol=pickle.HIGHEST_PROTOCOL)

    def replace(self, partition: int, items: Iterable[Any]) -> None:
        """The partition's items, from now on, are these."""
        self._close(partition)
        with self._path(partition).open("wb") as writer:
            for item in items:
                pickle.dump(item, writer, protocol=pickle.HIGHEST_PROTOCOL)

    def read(self, partition: int) -> Iterator[Any]:
        self._close(partition)
        path = self._path(partition)
        if not path.exists():
            return
        with path.open("rb") as reader:
            while True:
                try:
                    yield pickle.load(reader)
                except EOFError:
                    return

    def close(self) -> None:
        for partition in list(self._writers):
            self._close(partition)
        self._folder.cleanup()

    def _close(self, partition: int) -> None:
        writer = self._writers.pop(partition, None)
        if writer is not None:
            writer.close()

    def _path(self, partition: int) -> Path:
        if not 0 <= partition < self._partitions:
            raise ValueError(f"partition {partition} outside 0..{self._partitions - 1}")
        return Path(self._folder.name) / f"{partition}.pickle"
