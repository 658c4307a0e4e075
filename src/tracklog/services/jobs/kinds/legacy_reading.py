"""Reading an export phase by phase from a job's cursor, one open stream per phase.

A job resumed after a crash starts from ``[phase, line]``: the phase's file is opened again and
read past that line. Within a run the stream stays open from batch to batch, so a long file is
read once, not once per batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracklog.domain.legacy import ContentTypes, LegacyFile
from tracklog.services.ports import LegacyExport

Item = Any  # SourceRow | BadLine | PendingUpdate | LegacyCollection: each has ``line``


class ExportReader:
    def __init__(self, export: LegacyExport):
        self._export = export
        self._streams: dict[LegacyFile, tuple[Iterator[Item], int]] = {}
        self._types: ContentTypes | None = None

    def take(self, file: LegacyFile, after_line: int, size: int) -> list[Item]:
        """The next ``size`` items of ``file`` that stand after ``after_line``."""
        stream, position = self._streams.get(file, (None, -1))
        if stream is None or position != after_line:
            stream = self._open(file)
        items: list[Item] = []
        for item in stream:
            if item.line <= after_line:
                continue
            items.append(item)
            if len(items) == size:
                break
        self._streams[file] = (stream, items[-1].line if items else after_line)
        return items

    def _open(self, file: LegacyFile) -> Iterator[Item]:
        if file is LegacyFile.PENDING:
            return self._export.pending()
        if file is LegacyFile.COLLECTIONS:
            return self._export.collections()
        return self._export.rows(file)

    def module_types(self) -> ContentTypes:
        if self._types is None:
            self._types, _ = self._export.content_types()
        return self._types

    def module_type_of(self, content_id: str) -> str:
        return self.module_types().module_type_of(content_id) or "unknown"
