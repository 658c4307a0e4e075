"""Reading a legacy export folder (SPEC §6): a demo export reads back whole, columns in any order,
bad records reported with the line they start on, missing files and columns refused up front."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from tracklog.adapters.legacy import (
    BadLine,
    ExportError,
    ExportFolder,
    FileName,
    SourceRow,
    count_lines,
    read_content_types,
    read_pending,
    read_rows,
)
from tracklog.adapters.legacy import demo_attempts as demo
from tracklog.adapters.legacy.demo_export import ExportStats, write_demo_export
from tracklog.adapters.legacy.demo_world import INCIDENT_MODULE_TYPES, MODULE_TYPES, learner
from tracklog.domain.legacy import PendingUpdate
from tracklog.domain.legacy_questions import format_question_udts
from tracklog.domain.legacy_rows import (
    activity_agg_from_row,
    attempt_from_row,
    batch_from_row,
    consumption_from_row,
    enrolment_from_row,
)

PARSERS: dict[FileName, Callable[[Any], Any]] = {
    FileName.CONSUMPTION: consumption_from_row,
    FileName.ENROLMENTS: enrolment_from_row,
    FileName.ATTEMPTS: attempt_from_row,
    FileName.BATCHES: batch_from_row,
    FileName.ACTIVITY: activity_agg_from_row,
}


def parsed_rows(folder: ExportFolder, name: FileName) -> list[Any]:
    items = list(folder.rows(name))
    assert [item for item in items if isinstance(item, BadLine)] == []
    return [PARSERS[name](item.values) for item in items if isinstance(item, SourceRow)]


def module_types_of(folder: ExportFolder, items: Iterable[str]) -> Counter[str]:
    types, bad = folder.content_types()
    assert bad == ()
    return Counter(types.module_type_of(content_id) or "?" for content_id in items)


@pytest.fixture(scope="module")
def caught_up(tmp_path_factory: pytest.TempPathFactory) -> tuple[ExportFolder, ExportStats]:
    directory = tmp_path_factory.mktemp("caught-up")
    return ExportFolder(directory), write_demo_export(directory, learners=40)


@pytest.fixture(scope="module")
def backlog(tmp_path_factory: pytest.TempPathFactory) -> tuple[ExportFolder, ExportStats]:
    directory = tmp_path_factory.mktemp("backlog")
    return ExportFolder(directory), write_demo_export(directory, learners=40, hidden_backlog=True)


def test_every_file_of_a_demo_export_reads_back_without_a_bad_line(
    caught_up: tuple[ExportFolder, ExportStats],
) -> None:
    folder, stats = caught_up
    folder.check()
    for name in PARSERS:
        assert len(parsed_rows(folder, name)) == stats.rows[name], name
    types, bad = folder.content_types()
    assert (len(types), bad) == (stats.rows[FileName.CONTENT_TYPES], ())
    assert list(folder.pending()) == []
    assert folder.file(FileName.PENDING).read_bytes() == b""
    assert stats.rows[FileName.PENDING] == 0


def test_the_caught_up_export_holds_every_expected_record_per_module_type(
    caught_up: tuple[ExportFolder, ExportStats],
) -> None:
    folder, stats = caught_up
    rows = parsed_rows(folder, FileName.CONSUMPTION)
    found = module_types_of(folder, (row.content_id for row in rows))
    assert set(stats.expected) == set(MODULE_TYPES)
    assert all(stats.expected[kind] > 0 for kind in MODULE_TYPES)
    assert found == Counter(stats.expected)
    assert set(stats.withheld.values()) == set(stats.pending.values()) == {0}


def test_the_demo_covers_statuses_both_time_forms_details_and_an_ended_batch(
    caught_up: tuple[ExportFolder, ExportStats],
) -> None:
    folder, _ = caught_up
    items = [item for item in folder.rows(FileName.CONSUMPTION) if isinstance(item, SourceRow)]
    assert {item.values["status"] for item in items} == {"0", "1", "2"}
    assert any(item.values["last_access_time"] is None for item in items)
    assert any(item.values["lastaccesstime"] and item.values["last_access_time"] for item in items)
    assert any(item.values["progressdetails"] for item in items)
    batches = parsed_rows(folder, FileName.BATCHES)
    assert [batch.status for batch in batches].count(2) == 1
    assert all(batch.start_ts and batch.end_ts for batch in batches)
    attempts = parsed_rows(folder, FileName.ATTEMPTS)
    assert all(attempt.questions and attempt.total_max_score == 4 for attempt in attempts)


def test_the_hidden_backlog_withholds_incident_completions_and_queues_them(
    backlog: tuple[ExportFolder, ExportStats], caught_up: tuple[ExportFolder, ExportStats]
) -> None:
    folder, stats = backlog
    rows = parsed_rows(folder, FileName.CONSUMPTION)
    found = module_types_of(folder, (row.content_id for row in rows))
    assert stats.expected == caught_up[1].expected  # the same world
    for kind in MODULE_TYPES:
        assert found[kind] == stats.expected[kind] - stats.withheld[kind]
        assert (stats.withheld[kind] > 0) == (kind in INCIDENT_MODULE_TYPES)
    types, _ = folder.content_types()
    shown_kinds = {(types.module_type_of(row.content_id), row.status) for row in rows}
    assert not {(kind, 2) for kind in INCIDENT_MODULE_TYPES} & shown_kinds
    pending = [item for item in folder.pending() if isinstance(item, PendingUpdate)]
    assert len(pending) == stats.rows[FileName.PENDING] > 0
    queued = module_types_of(folder, (cid for update in pending for cid, _ in update.contents))
    assert queued == Counter({k: v for k, v in stats.pending.items() if v})
    assert stats.pending == stats.withheld


def test_enrolments_of_the_backlog_lack_the_withheld_completions(
    backlog: tuple[ExportFolder, ExportStats],
) -> None:
    folder, _ = backlog
    shown = {
        (row.user_id, row.course_id, row.content_id)
        for row in parsed_rows(folder, FileName.CONSUMPTION)
    }
    for enrolment in parsed_rows(folder, FileName.ENROLMENTS):
        keys = {(enrolment.user_id, enrolment.course_id, cid) for cid in enrolment.content_status}
        assert keys <= shown
        assert enrolment.progress == list(enrolment.content_status.values()).count(2)


def test_without_a_pending_queue_the_backlog_is_simply_missing(tmp_path: Path) -> None:
    stats = write_demo_export(tmp_path, learners=5, hidden_backlog=True, pending_queue=False)
    assert not (tmp_path / FileName.PENDING).exists()
    assert FileName.PENDING.value not in stats.rows
    assert sum(stats.withheld.values()) > 0
    assert set(stats.pending.values()) == {0}
    assert list(ExportFolder(tmp_path).pending()) == []


def test_the_same_seed_writes_the_same_export(tmp_path: Path) -> None:
    first = write_demo_export(tmp_path / "a", learners=6, hidden_backlog=True, seed=3)
    second = write_demo_export(tmp_path / "b", learners=6, hidden_backlog=True, seed=3)
    write_demo_export(tmp_path / "c", learners=6, hidden_backlog=True, seed=4)
    assert first == second
    for name in FileName:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / FileName.CONSUMPTION).read_bytes() != (
        tmp_path / "c" / FileName.CONSUMPTION
    ).read_bytes()


def test_the_demo_writes_question_lists_exactly_as_the_formatter_does() -> None:
    attempts = [a for i in range(10) for e in learner(7, i).enrolments for a in e.attempts]
    assert attempts
    enrolment = learner(7, 0).enrolments[0]
    column = demo.ATTEMPT_HEADER.index("question")
    for attempt in attempts:
        written = demo.attempt_row("u1", enrolment, attempt)[column]
        assert written == format_question_udts(demo.questions(attempt))


def test_columns_in_any_order_are_read_by_name_and_extra_columns_ignored(tmp_path: Path) -> None:
    path = tmp_path / "ucc.csv"
    path.write_text(
        "status,extra,contentid,batchid,userid,courseid,last_access_time\r\n"
        "2,ignored,do_1,b1,u1,do_c1,2025-05-20 10:11:12.345000+0000\r\n",
        encoding="utf-8",
    )
    (row,) = read_rows(path, ["userid", "courseid", "batchid", "contentid", "status"], ["progress"])
    assert isinstance(row, SourceRow)
    assert row.values == {
        "userid": "u1", "courseid": "do_c1", "batchid": "b1", "contentid": "do_1", "status": "2",
    }  # fmt: skip
    assert consumption_from_row(row.values).status == 2


def test_empty_fields_read_as_none_and_cqlsh_escapes_are_undone(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b'a,b,c\r\n,"x, \\"y\\"","{\\"k\\": \\"v\\"}"\r\n,"q""uote",z\r\n')
    first, second = read_rows(path, ["a", "b", "c"])
    assert isinstance(first, SourceRow)
    assert isinstance(second, SourceRow)
    assert first.values == {"a": None, "b": 'x, "y"', "c": '{"k": "v"}'}
    assert second.values == {"a": None, "b": 'q"uote', "c": "z"}


MALFORMED = (
    b"userid,contentid,status\r\n"  # line 1
    b'u1,"do_1\r\nstill the same field",2\r\n'  # lines 2-3: a quoted field over two lines
    b"u2,do_2\r\n"  # line 4: too few fields
    b"u3,do_3,1\r\n"  # line 5
    b"u4,do_\xff,1\r\n"  # line 6: not UTF-8
    b"\r\n"  # line 7: blank, skipped
    b'u5,"do_5"x,1\r\n'  # line 8: broken quoting
    b"u6,do_6,1,extra\r\n"  # line 9: too many fields
    b"u7,do_7,2\r\n"  # line 10
)


def test_bad_records_are_reported_with_the_line_they_start_on_and_reading_goes_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "user_content_consumption.csv"
    path.write_bytes(MALFORMED)
    items = list(read_rows(path, ["userid", "contentid", "status"]))
    assert [(type(item).__name__, item.line) for item in items] == [
        ("SourceRow", 2), ("BadLine", 4), ("SourceRow", 5), ("BadLine", 6), ("BadLine", 8),
        ("BadLine", 9), ("SourceRow", 10),
    ]  # fmt: skip
    bad = {item.line: item.reason for item in items if isinstance(item, BadLine)}
    assert bad[4] == "has 2 fields, the header has 3"
    assert bad[6] == "holds bytes that are not UTF-8"
    assert bad[8].startswith("cannot be read as CSV")
    assert bad[9] == "has 4 fields, the header has 3"
    assert all(item.file == "user_content_consumption.csv" for item in items)
    first = items[0]
    assert isinstance(first, SourceRow)
    assert first.values["contentid"] == "do_1\r\nstill the same field"


def test_an_unterminated_quote_is_one_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b'a,b\r\n1,2\r\n3,"never closed\r\n5,6\r\n')
    items = list(read_rows(path, ["a", "b"]))
    assert [(type(item).__name__, item.line) for item in items] == [
        ("SourceRow", 2),
        ("BadLine", 3),
    ]


def test_a_missing_required_column_is_refused_before_any_row_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "user_enrolments.csv"
    path.write_text("userid,courseid\r\nu1,do_c1\r\n", encoding="utf-8")
    with pytest.raises(ExportError) as raised:
        read_rows(path, ["userid", "courseid", "batchid", "status"])
    message = str(raised.value)
    assert message.startswith("user_enrolments.csv lacks the required columns batchid, status")
    assert "its header has: userid, courseid" in message


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "course_batch.csv"
    path.write_bytes(b"")
    with pytest.raises(ExportError, match=r"course_batch\.csv is empty"):
        read_rows(path, ["courseid"])


def test_a_folder_lacking_required_files_is_refused_naming_them(tmp_path: Path) -> None:
    write_demo_export(tmp_path, learners=1)
    (tmp_path / FileName.ATTEMPTS).unlink()
    (tmp_path / FileName.CONTENT_TYPES).unlink()
    (tmp_path / FileName.BATCHES).unlink()  # optional: reads as no rows
    folder = ExportFolder(tmp_path)
    with pytest.raises(ExportError) as raised:
        folder.check()
    assert str(raised.value).endswith("lacks assessment_aggregator.csv, content_types.csv")
    assert list(folder.rows(FileName.BATCHES)) == []
    with pytest.raises(ExportError, match="does not exist"):
        ExportFolder(tmp_path / "nowhere").check()


def test_the_pending_queue_reports_lines_that_are_not_update_events(tmp_path: Path) -> None:
    path = tmp_path / "pending_events.jsonl"
    path.write_bytes(
        b'{"eid":"BE_JOB_REQUEST","ets":1716200000000,"mid":"LP.1","edata":{"action":'
        b'"batch-enrolment-update","userId":"u1","batchId":"b1","courseId":"do_c1",'
        b'"contents":[{"contentId":"do_1","status":2}]}}\n'
        b"\n"
        b"not json\n"
        b'{"eid":"BE_JOB_REQUEST","edata":{"action":"user-enrolment-sync"}}\n'
        b"[1]\n"
    )
    items = list(read_pending(path))
    assert isinstance(items[0], PendingUpdate)
    assert items[0].contents == (("do_1", 2),)
    bad = [(item.line, item.reason) for item in items if isinstance(item, BadLine)]
    assert [line for line, _ in bad] == [3, 4, 5]
    assert bad[0][1].startswith("is not a JSON event")
    assert bad[1][1] == "edata.action: must be batch-enrolment-update, got 'user-enrolment-sync'"
    assert bad[2][1] == "is not a JSON object"


def test_a_content_listed_twice_with_different_types_keeps_the_first(tmp_path: Path) -> None:
    path = tmp_path / "content_types.csv"
    path.write_text("moduletype,contentid\nILT,do_1\nILT,do_1\nQuest,do_1\nQuest,\n", "utf-8")
    types, bad = read_content_types(path)
    assert types.module_type_of("do_1") == "ILT"
    assert [(line.line, line.reason) for line in bad] == [
        (4, "contentid do_1 is already of module type ILT, not Quest"),
        (5, "contentid: is missing"),
    ]


def test_line_counts_bound_the_records_of_a_file(
    caught_up: tuple[ExportFolder, ExportStats],
) -> None:
    folder, stats = caught_up
    assert folder.count_lines(FileName.CONSUMPTION) == stats.rows[FileName.CONSUMPTION] + 1
    assert (
        count_lines(folder.file(FileName.CONTENT_TYPES)) == stats.rows[FileName.CONTENT_TYPES] + 1
    )
