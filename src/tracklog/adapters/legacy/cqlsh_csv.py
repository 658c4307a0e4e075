"""Streamed reading of one ``cqlsh COPY <table> TO <file> WITH HEADER = true`` file.

The dialect is cqlsh's: ``,`` between fields, ``"`` around a field that needs it, ``\\`` before a
quote inside one (``\\"``); ``""`` is read as a quote too, so standard CSV is accepted. cqlsh
writes ``\\r\\n`` line ends. Rows are streamed: memory stays flat whatever the file's size.

Each record comes back as a ``SourceRow`` holding only the wanted columns (in any order in the
file, extra columns ignored) with ``None`` for an empty field, or as a ``BadLine`` (wrong number
of fields, broken quoting, bytes that are not UTF-8) after which reading goes on with the next
record. ``line`` is the physical line (1-based, the header being line 1) where the record starts.

Backslashes: cqlsh doubles every backslash of a text before its csv writer sees it. cqlsh on
Python 2 (Cassandra 3.x) then writes it as is, so a text reads back exactly; cqlsh on Python 3
escapes it once more, so such a text reads back with its backslashes doubled.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

if TYPE_CHECKING:
    from _csv import Reader

MAX_FIELD_CHARS = 16 * 1024 * 1024  # a question list can be far over csv's 128 KiB default
_CHUNK = 1 << 20


class CqlshDialect(csv.Dialect):
    """The CSV dialect cqlsh COPY TO writes by default (``QUOTE '"'``, ``ESCAPE '\\'``)."""

    delimiter = ","
    quotechar = '"'
    escapechar = "\\"
    doublequote = False
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL
    strict = True


class _ReadDialect(CqlshDialect):
    doublequote = True  # ``""`` inside a quoted field reads as ``"`` as well as ``\"`` does


class SourceRow(NamedTuple):
    """One record of an export file: the wanted columns, ``None`` where the field is empty."""

    file: str
    line: int
    values: dict[str, str | None]


class BadLine(NamedTuple):
    """A record (or line) that could not be read; reading went on after it."""

    file: str
    line: int
    reason: str


class ExportError(Exception):
    """The export (or one of its files) cannot be read at all: a missing file or column."""


def read_rows(
    path: Path, required: Collection[str], optional: Collection[str] = ()
) -> Iterator[SourceRow | BadLine]:
    """The records of one export file, streamed. The header is checked at once: a missing
    required column raises ``ExportError`` here, before any row is read; a missing optional column
    is simply absent from ``values``. The file is closed when the iterator is exhausted or closed.
    The csv module's field size limit is raised (process-wide) to ``MAX_FIELD_CHARS``.
    """
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
    binary = path.open("rb")
    try:
        lines = _Lines(binary)
        reader = csv.reader(lines.for_csv(), _ReadDialect)
        header = _header(lines, reader, path)
        columns = _wanted_columns(header, required, optional, path)
    except BaseException:
        binary.close()
        raise
    return _records(binary, lines, reader, path.name, len(header), columns)


def count_lines(path: Path) -> int:
    """The number of physical lines of a file, counted fast: an upper bound of its records + 1."""
    lines, last = 0, b"\n"
    with path.open("rb") as binary:
        while chunk := binary.read(_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


class _Lines:
    """A file's lines as text, numbered. A line without quotes or backslashes is split on ``,``
    at once (four times faster than the csv module); any other goes to a csv reader fed by
    ``for_csv``, which then reads on through the lines of a field that spans several."""

    __slots__ = ("_held", "number", "raw", "undecodable")

    def __init__(self, binary: Iterable[bytes]) -> None:
        self.raw = iter(binary)
        self.number = 0
        self.undecodable = False
        self._held: list[str] = []

    def decode(self, raw: bytes) -> str:
        try:
            return raw.decode()
        except UnicodeDecodeError:
            self.undecodable = True
            return raw.decode(errors="replace")

    def parse(self, text: str, reader: Reader) -> list[str]:
        """The record starting with ``text``, read by the csv reader (``csv.Error`` if broken)."""
        self._held.append(text)
        return next(reader, [])

    def for_csv(self) -> Iterator[str]:
        while True:
            while self._held:
                yield self._held.pop()
            raw = next(self.raw, None)
            if raw is None:
                return
            self.number += 1
            yield self.decode(raw)


def _records(
    binary: BinaryIO,
    lines: _Lines,
    reader: Reader,
    file: str,
    width: int,
    columns: list[tuple[str, int]],
) -> Iterator[SourceRow | BadLine]:
    with binary:
        number = lines.number
        for raw in lines.raw:
            number += 1
            start = number
            try:
                text = raw.decode()
            except UnicodeDecodeError:
                text = raw.decode(errors="replace")
                lines.undecodable = True
            body = text.rstrip("\r\n")
            if '"' in body or "\\" in body or "\r" in body:
                lines.number = number
                try:
                    fields = lines.parse(text, reader)
                except csv.Error as error:
                    lines.undecodable = False
                    yield BadLine(file, start, f"cannot be read as CSV: {error}")
                    continue
                finally:
                    number = lines.number
            else:
                fields = body.split(",") if body else []
            if lines.undecodable:
                lines.undecodable = False
                yield BadLine(file, start, "holds bytes that are not UTF-8")
            elif len(fields) == width:
                yield SourceRow(file, start, {name: fields[i] or None for name, i in columns})
            elif fields:
                yield BadLine(file, start, f"has {len(fields)} fields, the header has {width}")


def _header(lines: _Lines, reader: Reader, path: Path) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise ExportError(f"{path.name} is empty: expected a header line of column names") from None
    except csv.Error as error:
        raise ExportError(f"{path.name} has an unreadable header line: {error}") from None
    if lines.undecodable:
        raise ExportError(f"{path.name} has a header line that is not UTF-8")
    names = [name.strip() for name in header]
    if names:
        names[0] = names[0].removeprefix("\ufeff")
    return names


def _wanted_columns(
    header: list[str], required: Collection[str], optional: Collection[str], path: Path
) -> list[tuple[str, int]]:
    missing = [name for name in required if name not in header]
    if missing:
        raise ExportError(
            f"{path.name} lacks the required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (its header has: {', '.join(header)})"
        )
    wanted = [*required, *(name for name in optional if name not in required)]
    doubled = sorted({name for name in wanted if header.count(name) > 1})
    if doubled:
        raise ExportError(f"{path.name} has the column {', '.join(doubled)} more than once")
    return [(name, header.index(name)) for name in wanted if name in header]
