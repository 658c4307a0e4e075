"""Bad rows are quarantined with file, line and reason, and the rest goes in; what the export
names but the registry does not know is imported and reported."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.integration.migration.support import counts, report, run
from tracklog.adapters.legacy import CqlshDialect
from tracklog.adapters.legacy.demo_export import write_demo_export
from tracklog.bootstrap import Tracklog
from tracklog.domain.legacy import LegacyFile


def spoil(folder: Path) -> dict[int, str]:
    """Append four bad copies of the last consumption row; their line numbers and what is wrong."""
    path = folder / LegacyFile.CONSUMPTION
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, CqlshDialect))
    header, good = rows[0], rows[-1]
    at = {name: i for i, name in enumerate(header)}

    def variant(**changes: str) -> list[str]:
        row = list(good)
        for name, value in changes.items():
            row[at[name]] = value
        row[at["contentid"]] = changes.get(
            "contentid", "spoiled-" + str(len(changes)) + good[at["contentid"]]
        )
        return row

    bad = [
        good[:-1],  # one field short
        variant(status="5"),
        variant(contentid="x" * 300),
        variant(last_access_time="2025/05/20 10:11"),
    ]
    first = len(rows) + 1
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, CqlshDialect)
        for row in bad:
            writer.writerow(row)
    return dict(
        zip(
            range(first, first + len(bad)),
            ("fields", "status", "contentid", "last_access_time"),
            strict=True,
        )
    )


def test_bad_rows_are_listed_with_file_and_line_and_the_rest_goes_in(
    tracklog: Tracklog, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    stats = write_demo_export(folder, learners=4)
    spoiled = spoil(folder)
    job = run(tracklog.deps, "migrate-legacy", folder)
    found = report(job)
    assert found["rejectedCount"] == 4
    assert found["files"][LegacyFile.CONSUMPTION.value]["rejected"] == 4
    listed = {row["line"]: row for row in found["rejectedRows"]}
    assert set(listed) == set(spoiled)
    for line, what in spoiled.items():
        assert listed[line]["file"] == LegacyFile.CONSUMPTION.value
        assert what in listed[line]["reason"]
    assert counts(tracklog.deps)["consumption"] == stats.rows[LegacyFile.CONSUMPTION]
    with tracklog.deps.store.reader() as uow:  # the monitor and the ops page count them too
        rejected = [(k, n) for k, n in uow.counts.counts(0) if k.outcome == "rejected"]
    assert [(k.source, k.reason, n) for k, n in rejected] == [("migration", "INVALID_ROW", 4)]


def test_enrolments_in_unknown_courses_and_batches_are_imported_and_reported(
    tracklog: Tracklog, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    stats = write_demo_export(folder, learners=4)
    (folder / LegacyFile.COLLECTIONS).unlink()  # the course trees were not exported
    (folder / LegacyFile.BATCHES).unlink()
    job = run(tracklog.deps, "migrate-legacy", folder)
    found = report(job)
    assert counts(tracklog.deps)["enrolments"] == stats.rows[LegacyFile.ENROLMENTS]
    assert len(found["unknownCollections"]) == stats.rows[LegacyFile.COLLECTIONS]
    assert sum(found["unknownCollections"].values()) == stats.rows[LegacyFile.ENROLMENTS]
    assert len(found["unknownBatches"]) > 0
