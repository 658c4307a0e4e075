"""Running a job from the command line: plan or guard, create, run with progress, report.

Shared by ``tracklog jobs run <kind>``, ``jobs resume|rollback`` and the commands that are jobs
under their own names (``migrate legacy``, ``backfill``, ``reconcile``).
"""

from __future__ import annotations

import getpass
import inspect
import os
import socket
from typing import TYPE_CHECKING, Any

import typer

from tracklog.entrypoints.cli.console import console, fail, interactive, open_instance

if TYPE_CHECKING:
    from tracklog.bootstrap import Tracklog
    from tracklog.domain.jobs import Job
    from tracklog.services.jobs.model import JobKind
    from tracklog.services.jobs.planner import Origin

COMMON_OPTIONS = ("dry_run", "confirm", "batch_size", "max_rate", "actor")


def common_parameters() -> list[inspect.Parameter]:
    """The options every job command takes, as parameters of a generated Typer command."""

    def option(name: str, annotation: Any, default: Any) -> inspect.Parameter:
        return inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
        )

    return [
        option(
            "dry_run",
            bool,
            typer.Option(False, "--dry-run", help="Plan only: count, estimate, write nothing."),
        ),
        option(
            "confirm",
            str | None,
            typer.Option(None, "--confirm", help="The environment name; required in production."),
        ),
        option(
            "batch_size",
            int | None,
            typer.Option(
                None,
                "--batch-size",
                min=1,
                max=100_000,
                help="Rows per transaction.",
                show_default="TRACKLOG_JOB_BATCH_SIZE",
            ),
        ),
        option(
            "max_rate",
            int | None,
            typer.Option(None, "--max-rate", min=1, help="Rows per second at most."),
        ),
        option(
            "actor",
            str | None,
            typer.Option(None, "--actor", help="Who runs it (default: the OS user)."),
        ),
    ]


def origin(actor: str | None) -> Origin:
    from tracklog.services.jobs.planner import Origin

    try:
        user = actor or getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Origin(actor=user, host=socket.gethostname(), pid=os.getpid())


def run_kind(
    kind: str,
    options: dict[str, Any],
    *,
    dry_run: bool,
    confirm: str | None,
    batch_size: int | None,
    max_rate: int | None,
    actor: str | None,
) -> Job | None:
    """Plan (``dry_run``) or run one job of ``kind``; exits non-zero unless it finished."""
    from tracklog.entrypoints.cli import jobs_view
    from tracklog.services.jobs import planner
    from tracklog.services.jobs.kinds import BuildContext, build_kind

    with open_instance(need="service" if kind in SERVICE_KINDS else "ready") as tracklog:
        deps = tracklog.deps
        job_kind = build_kind(kind, options, BuildContext.of(deps))
        size = batch_size or deps.settings.job_batch_size
        if dry_run:
            _warn_if_stamp_differs(tracklog)
            jobs_view.show_plan(planner.dry_run(deps, job_kind, size))
            return None
        if kind not in READ_ONLY_KINDS:
            _guard(tracklog, confirm)
        who = origin(actor)
        job_id = planner.create_job(deps, job_kind, who, size, max_rate)
        console.print(f"job {job_id} started: {kind} by {who.actor} on {who.host}")
        # A read-only kind's plan read its whole source (a reconciliation's export): run with it
        # rather than read it again. Others are built from the job, as a resume would.
        planned = job_kind if kind in READ_ONLY_KINDS else None
        return _execute(tracklog, job_id, who, planned)


# Kinds that may meet a database Tracklog has never opened (a migration into a new instance).
SERVICE_KINDS = frozenset({"migrate-legacy"})
# Kinds that change no data: no production guard (a job record and its audit are still kept).
READ_ONLY_KINDS = frozenset({"reconcile"})


def resume_job(job_id: int, confirm: str | None, actor: str | None) -> Job:
    with open_instance() as tracklog:
        _guard(tracklog, confirm)
        return _execute(tracklog, job_id, origin(actor))


def rollback_job(job_id: int, confirm: str | None, actor: str | None) -> None:
    from tracklog.entrypoints.cli import jobs_view
    from tracklog.entrypoints.cli.jobs_signals import runner_hooks
    from tracklog.services.jobs import control, rollback

    with open_instance() as tracklog:
        _guard(tracklog, confirm)
        deps = tracklog.deps
        view = jobs_view.observer_for(control.get_job(deps, job_id))
        hooks = runner_hooks(deps.settings.test_hooks)
        try:
            report = rollback.rollback(deps, job_id, origin(actor), view, hooks)
        finally:
            view.close()
    jobs_view.show_rollback(report)
    if not report.complete:
        raise SystemExit(1)


def _guard(tracklog: Tracklog, confirm: str | None) -> None:
    from tracklog.services import instance
    from tracklog.services.jobs import guard

    deps = tracklog.deps
    _, stamped = instance.stamps(deps)
    prompt = (lambda text: typer.prompt(text, default="")) if interactive() else None
    try:
        guard.check(
            guard.GuardInput(deps.settings.environment, stamped, confirm, prompt),
            deps.store.masked_url(),
        )
    except guard.JobRefused as refused:
        fail(f"job refused: {refused}")


def _warn_if_stamp_differs(tracklog: Tracklog) -> None:
    """A dry run goes ahead (it writes nothing) but says that the real run would be refused."""
    from tracklog.services import instance
    from tracklog.services.jobs import guard

    deps = tracklog.deps
    _, stamped = instance.stamps(deps)
    configured = deps.settings.environment
    try:
        guard.check(guard.GuardInput(configured, stamped, configured.value, None), "this database")
    except guard.JobRefused as refused:
        console.print(f"[bold yellow]warning:[/] the real run would be refused: {refused}")


def _execute(tracklog: Tracklog, job_id: int, who: Origin, planned: JobKind | None = None) -> Job:
    from tracklog.domain.jobs import JobState
    from tracklog.entrypoints.cli import jobs_view
    from tracklog.entrypoints.cli.jobs_signals import runner_hooks
    from tracklog.services.jobs import control, runner

    deps = tracklog.deps
    view = jobs_view.observer_for(control.get_job(deps, job_id))
    try:
        hooks = runner_hooks(deps.settings.test_hooks)
        job = runner.run(deps, job_id, who, view, hooks, planned)
    finally:
        view.close()
    style = {"finished": "green", "aborted": "yellow"}.get(job.state, "red")
    console.print(
        f"job {job.id} [{style}]{job.state}[/]: {job.rows_done}/{job.rows_total} done, "
        f"{job.rows_changed} row(s) changed · {job.outcome}"
    )
    if job.state != JobState.FINISHED:
        console.print(
            f"resume: tracklog jobs resume {job.id} · undo: tracklog jobs rollback {job.id}"
        )
        raise SystemExit(1)
    return job
