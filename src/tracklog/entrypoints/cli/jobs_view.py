"""How jobs look on the command line: plans, tables, progress (a Rich bar or JSON lines)."""

from __future__ import annotations

import sys
import time
from typing import Any

import orjson
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from tracklog.domain.jobs import Job, JobState
from tracklog.entrypoints.cli.console import console, out
from tracklog.entrypoints.shapes import iso, job_json
from tracklog.services.jobs.model import Plan
from tracklog.services.jobs.rollback import RollbackReport


def show_plan(plan: Plan) -> None:
    out.print(f"[bold]dry run[/] of [bold]{plan.kind}[/] {_args(plan.arguments)}".rstrip())
    out.print(f"  environment : {plan.environment}")
    out.print(f"  database    : {plan.database}")
    out.print(f"  examined    : {plan.examined} {plan.scope.unit_name}")
    table = Table("table", "operation", "rows", title="would change")
    for name, count in sorted(plan.changes.items()):
        table_name, _, operation = name.partition(".")
        table.add_row(table_name, operation, str(count))
    if not plan.changes:
        table.add_row("(nothing)", "", "0")
    out.print(table)
    out.print(
        f"  estimated   : {plan.estimated_seconds:.1f} s "
        f"(read pass took {plan.read_seconds:.1f} s); nothing was written"
    )


def show_jobs(jobs: list[Job], dead: set[int] | None = None) -> None:
    """``dead``: jobs left active by a process that is gone (crashed: resume or roll back)."""
    table = Table(
        "id", "kind", "args", "state", "started by", "host", "created", "progress", "outcome"
    )
    for job in jobs:
        table.add_row(
            str(job.id),
            job.kind,
            _args(job.args),
            f"{job.state} (process gone)" if job.id in (dead or set()) else job.state,
            job.actor,
            job.host,
            iso(job.created_ts) or "",
            f"{job.rows_done}/{job.rows_total} ({job.rows_changed} changed)",
            job.outcome or "",
        )
    wide = out if out.is_terminal else Console(width=max(out.width, 180))
    wide.print(table)


def show_job(job: Job) -> None:
    for name, value in job_json(job).items():
        out.print(f"{name:>15}: {value}", soft_wrap=True, markup=False, highlight=False)


def show_rollback(report: RollbackReport) -> None:
    verdict = "verified" if report.verified else "NOT complete"
    out.print(
        f"rollback of job {report.job.id}: {report.restored} row(s) restored, "
        f"{report.conflict_count} conflict(s); checksum {report.checksum or '-'} ({verdict})"
    )
    if report.conflicts:
        out.print("rows changed by live traffic since the job (left as they are):")
        for conflict in report.conflicts[:50]:
            out.print(f"  {conflict['table']} {conflict['key']}", markup=False)
        if report.conflict_count > 50:
            out.print(f"  ... and {report.conflict_count - 50} more (tracklog jobs status)")


def _args(args: dict[str, Any]) -> str:
    return " ".join(f"--{k}={v}" for k, v in args.items())


class RateMeter:
    """Rows per second since this process started watching, and the time left at that rate."""

    def __init__(self) -> None:
        self._start = time.monotonic()
        self._first: int | None = None

    def measure(self, job: Job) -> tuple[float, float | None]:
        done, total = counts(job)
        if self._first is None:
            self._first, self._start = done, time.monotonic()
        elapsed = max(time.monotonic() - self._start, 1e-6)
        rate = (done - self._first) / elapsed
        left = max(total - done, 0)
        return rate, (left / rate if rate > 0 else None)


def counts(job: Job) -> tuple[int, int]:
    """Progress as (done, total): units walked, or, while rolling back, rows put back."""
    if job.state == JobState.ROLLING_BACK and job.rollback:
        return int(job.rollback["restored"]) + int(job.rollback["conflicts"]), job.rows_changed
    return job.rows_done, job.rows_total


class JsonLines:
    """Progress as JSON objects on stdout, for logs, CI and anything that is not a terminal: the
    first batch, then at most one line a second, every pause, and the last batch."""

    def __init__(self, every_s: float = 1.0) -> None:
        self._meter = RateMeter()
        self._every = every_s
        self._last: float | None = None
        self._last_paused: str | None = None
        self._last_done = -1

    def progress(self, job: Job, paused: str | None = None) -> None:
        rate, eta = self._meter.measure(job)
        done, total = counts(job)
        now = time.monotonic()
        due = self._last is None or now - self._last >= self._every
        finishing = done >= total and done != self._last_done
        if not (due or finishing or paused != self._last_paused):
            return
        self._last, self._last_paused, self._last_done = now, paused, done
        line = {
            "job": job.id,
            "kind": job.kind,
            "state": "paused" if paused else job.state,
            "batch": job.batches_done,
            "rowsDone": done,
            "rowsTotal": total,
            "rowsChanged": job.rows_changed,
            "rowsPerSecond": round(rate, 1),
            "etaSeconds": None if eta is None else round(eta, 1),
            "paused": paused,
        }
        sys.stdout.write(orjson.dumps(line).decode() + "\n")
        sys.stdout.flush()

    def close(self) -> None:
        return None


class RichBar:
    """A progress bar with rate and ETA, on stderr (the terminal), under the banner."""

    def __init__(self, job: Job) -> None:
        self._meter = RateMeter()
        self._bar = Progress(
            TextColumn("[bold]job {task.fields[job]}[/] {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} rows/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
        )
        self._task: TaskID = self._bar.add_task(
            job.kind, total=job.rows_total or None, job=job.id, rate="-"
        )
        self._bar.start()

    def progress(self, job: Job, paused: str | None = None) -> None:
        rate, _ = self._meter.measure(job)
        done, total = counts(job)
        description = f"{job.kind} [yellow]paused: {paused}[/]" if paused else job.kind
        if job.state == JobState.ROLLING_BACK:
            description = f"{job.kind} rollback"
        self._bar.update(
            self._task,
            total=total or None,
            completed=done,
            description=description,
            rate=f"{rate:,.0f}",
        )

    def close(self) -> None:
        self._bar.stop()


def observer_for(job: Job) -> JsonLines | RichBar:
    return RichBar(job) if console.is_terminal and sys.stdout.isatty() else JsonLines()
