"""``tracklog jobs``: bulk jobs that cannot hurt production (SPEC §7)."""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Callable
from typing import TypeVar

import orjson
import typer

from tracklog.adapters.clock import ManualClock
from tracklog.bootstrap import Tracklog, bootstrap
from tracklog.domain.errors import TracklogError
from tracklog.entrypoints.api.present_jobs import job_json
from tracklog.entrypoints.cli import jobs_view
from tracklog.entrypoints.cli.console import banner, console, fail, guarded, interactive, out
from tracklog.entrypoints.cli.console import settings as load
from tracklog.entrypoints.cli.jobs_signals import runner_hooks
from tracklog.services.jobs import control, guard, planner, rollback, runner
from tracklog.services.jobs.kinds import KIND_NAMES, build_kind
from tracklog.services.jobs.model import JobState
from tracklog.settings import Settings, load_test_hooks

T = TypeVar("T")
app = typer.Typer(
    help="Bulk jobs: dry-run first, guarded in production, abortable, resumable, restorable.",
    no_args_is_help=True,
)


def _open(current: Settings) -> Tracklog:
    hooks = load_test_hooks()
    clock = ManualClock(hooks.clock_ms) if hooks.clock_ms is not None else None
    return guarded(lambda: bootstrap(current, clock=clock))


def _call(tracklog: Tracklog, action: Callable[[], T]) -> T:
    """Domain errors (no such job, a job in the wrong state) end the command with their message."""
    try:
        return action()
    except TracklogError as error:
        tracklog.close()
        fail(error.message)


def _origin(actor: str | None) -> planner.Origin:
    try:
        user = actor or getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return planner.Origin(actor=user, host=socket.gethostname(), pid=os.getpid())


def _guard(tracklog: Tracklog, confirm: str | None) -> None:
    deps = tracklog.deps
    with deps.store.reader() as uow:
        stamped = uow.registry.stamp("environment")
    prompt = (lambda text: typer.prompt(text, default="")) if interactive() else None
    try:
        guard.check(
            guard.GuardInput(deps.settings.environment, stamped, confirm, prompt),
            deps.store.masked_url(),
        )
    except guard.JobRefused as refused:
        tracklog.close()
        fail(f"job refused: {refused}")


def _warn_if_stamp_differs(tracklog: Tracklog) -> None:
    """A dry run goes ahead (it writes nothing) but says that the real run would be refused."""
    deps = tracklog.deps
    with deps.store.reader() as uow:
        stamped = uow.registry.stamp("environment")
    configured = deps.settings.environment
    try:
        guard.check(guard.GuardInput(configured, stamped, configured.value, None), "this database")
    except guard.JobRefused as refused:
        console.print(f"[bold yellow]warning:[/] the real run would be refused: {refused}")


def _execute(tracklog: Tracklog, job_id: int, origin: planner.Origin) -> None:
    deps = tracklog.deps
    hooks = load_test_hooks()
    view = jobs_view.observer_for(_call(tracklog, lambda: control.get_job(deps, job_id)))
    try:
        job = _call(tracklog, lambda: runner.run(deps, job_id, origin, view, runner_hooks(hooks)))
    finally:
        view.close()
    tracklog.close()
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


@app.command("run")
def run(
    kind: str = typer.Argument(..., help=f"One of: {', '.join(KIND_NAMES)}."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Plan only: count, estimate, write nothing."
    ),
    confirm: str | None = typer.Option(
        None, "--confirm", help="The environment name (production)."
    ),
    batch_size: int | None = typer.Option(None, "--batch-size", min=1, max=100_000),
    max_rate: int | None = typer.Option(None, "--max-rate", min=1, help="Rows per second at most."),
    collection: str | None = typer.Option(None, "--collection", help="recompute-collection: ID."),
    user: str | None = typer.Option(None, "--user", help="purge: the learner to erase."),
    older_than: int | None = typer.Option(None, "--older-than", help="purge: raw events, days."),
    actor: str | None = typer.Option(None, "--actor", help="Who runs it (default: OS user)."),
) -> None:
    """Plan (--dry-run) or run a bulk job."""
    current = load()
    banner(current)
    tracklog = _open(current)
    deps = tracklog.deps
    options = {"collection": collection, "user": user, "olderThanDays": older_than}
    try:
        job_kind = build_kind(
            kind,
            {k: v for k, v in options.items() if v is not None},
            deps.mode,
            deps.clock.now_ms(),
        )
    except TracklogError as error:
        tracklog.close()
        fail(error.message)
    size = batch_size or current.job_batch_size
    if dry_run:
        _warn_if_stamp_differs(tracklog)
        jobs_view.show_plan(planner.dry_run(deps, job_kind, size))
        tracklog.close()
        return
    _guard(tracklog, confirm)
    origin = _origin(actor)
    job_id = planner.create_job(deps, job_kind, origin, size, max_rate)
    console.print(f"job {job_id} started: {kind} by {origin.actor} on {origin.host}")
    _execute(tracklog, job_id, origin)


@app.command("resume")
def resume(
    job_id: int = typer.Argument(..., help="The job to continue from its last checkpoint."),
    confirm: str | None = typer.Option(
        None, "--confirm", help="The environment name (production)."
    ),
    actor: str | None = typer.Option(None, "--actor"),
) -> None:
    """Continue an aborted, failed or crashed job from its checkpoint."""
    current = load()
    banner(current)
    tracklog = _open(current)
    _guard(tracklog, confirm)
    _execute(tracklog, job_id, _origin(actor))


@app.command("rollback")
def rollback_job(
    job_id: int = typer.Argument(..., help="The job whose changes to undo."),
    confirm: str | None = typer.Option(
        None, "--confirm", help="The environment name (production)."
    ),
    actor: str | None = typer.Option(None, "--actor"),
) -> None:
    """Restore every row the job changed (rows changed since by live traffic are kept)."""
    current = load()
    banner(current)
    tracklog = _open(current)
    _guard(tracklog, confirm)
    deps = tracklog.deps
    view = jobs_view.observer_for(_call(tracklog, lambda: control.get_job(deps, job_id)))
    origin, hooks = _origin(actor), runner_hooks(load_test_hooks())
    try:
        report = _call(tracklog, lambda: rollback.rollback(deps, job_id, origin, view, hooks))
    finally:
        view.close()
        tracklog.close()
    jobs_view.show_rollback(report)
    if not report.complete:
        raise SystemExit(1)


@app.command("abort")
def abort(
    job_id: int = typer.Argument(...),
    actor: str | None = typer.Option(None, "--actor"),
) -> None:
    """Ask a running job to stop after the batch in flight."""
    current = load()
    banner(current)
    tracklog = _open(current)
    who = _origin(actor).actor
    job = _call(tracklog, lambda: control.request_abort(tracklog.deps, job_id, who))
    tracklog.close()
    console.print(
        f"abort requested for job {job.id} ({job.kind}, {job.state}); "
        "it stops after its current batch"
    )


@app.command("list")
def list_jobs(
    limit: int = typer.Option(20, help="Show at most this many (newest first)."),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
) -> None:
    """Jobs with who started them, where, when, arguments, state, progress and outcome."""
    current = load()
    banner(current)
    tracklog = _open(current)
    jobs = control.list_jobs(tracklog.deps, limit)
    dead = control.orphans(tracklog.deps, jobs, socket.gethostname())
    tracklog.close()
    if as_json:
        out.print_json(orjson.dumps([job_json(j) for j in jobs]).decode())
    else:
        jobs_view.show_jobs(jobs, dead)


@app.command("status")
def status(
    job_id: int = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of text."),
) -> None:
    """One job in detail."""
    current = load()
    banner(current)
    tracklog = _open(current)
    job = _call(tracklog, lambda: control.get_job(tracklog.deps, job_id))
    tracklog.close()
    if as_json:
        out.print_json(orjson.dumps(job_json(job)).decode())
    else:
        jobs_view.show_job(job)
