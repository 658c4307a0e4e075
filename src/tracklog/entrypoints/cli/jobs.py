"""``tracklog jobs``: bulk jobs that cannot hurt production (SPEC §7).

``tracklog jobs run <kind>`` has one command per registered kind, with that kind's options; the
other commands steer jobs by id. ``migrate``, ``backfill`` and ``reconcile`` run kinds through
``run_kind`` here too.
"""

from __future__ import annotations

import inspect
from typing import Any

import typer

from tracklog.entrypoints.cli import job_running
from tracklog.entrypoints.cli.console import console, open_instance, out
from tracklog.services.jobs.kinds import KINDS, KindSpec

app = typer.Typer(
    help="Bulk jobs: dry-run first, guarded in production, abortable, resumable, restorable.",
    no_args_is_help=True,
)
run_app = typer.Typer(help="Plan (--dry-run) or run a bulk job of one kind.", no_args_is_help=True)
app.add_typer(run_app, name="run")

CONFIRM_HELP = "The environment name; required in production."


def _kind_command(spec: KindSpec) -> Any:
    def command(**values: Any) -> None:
        common = {k: values.pop(k) for k in job_running.COMMON_OPTIONS}
        options = {o.name: values[o.name] for o in spec.options if values[o.name] is not None}
        job_running.run_kind(spec.name, options, **common)

    parameters = [*job_running.common_parameters()]
    for option in spec.options:
        parameters.append(
            inspect.Parameter(
                option.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=typer.Option(None, option.flag, help=option.help, metavar=option.metavar),
                annotation=option.type | None,
            )
        )
    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    command.__doc__ = spec.help
    return command


for _spec in KINDS.values():
    run_app.command(_spec.name, help=_spec.help)(_kind_command(_spec))


@app.command("resume")
def resume(
    job_id: int = typer.Argument(..., help="The job to continue from its last checkpoint."),
    confirm: str | None = typer.Option(None, "--confirm", help=CONFIRM_HELP),
    actor: str | None = typer.Option(None, "--actor", help="Who resumes it (default: OS user)."),
) -> None:
    """Continue an aborted, failed or crashed job from its checkpoint."""
    job_running.resume_job(job_id, confirm, actor)


@app.command("rollback")
def rollback_job(
    job_id: int = typer.Argument(..., help="The job whose changes to undo."),
    confirm: str | None = typer.Option(None, "--confirm", help=CONFIRM_HELP),
    actor: str | None = typer.Option(None, "--actor", help="Who rolls back (default: OS user)."),
) -> None:
    """Restore every row the job changed (rows changed since by live traffic are kept)."""
    job_running.rollback_job(job_id, confirm, actor)


@app.command("abort")
def abort(
    job_id: int = typer.Argument(..., help="The running job to stop."),
    actor: str | None = typer.Option(None, "--actor", help="Who aborts (default: OS user)."),
) -> None:
    """Ask a running job to stop after the batch in flight."""
    from tracklog.services.jobs import control

    with open_instance() as tracklog:
        who = job_running.origin(actor).actor
        job = control.request_abort(tracklog.deps, job_id, who)
    console.print(
        f"abort requested for job {job.id} ({job.kind}, {job.state}); "
        "it stops after its current batch"
    )


@app.command("list")
def list_jobs(
    limit: int = typer.Option(20, "--limit", min=1, help="Show at most this many (newest first)."),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
) -> None:
    """Jobs with who started them, where, when, arguments, state, progress and outcome."""
    import socket

    import orjson

    from tracklog.entrypoints.cli import jobs_view
    from tracklog.entrypoints.shapes import job_json
    from tracklog.services.jobs import control

    with open_instance() as tracklog:
        jobs = control.list_jobs(tracklog.deps, limit)
        dead = control.orphans(tracklog.deps, jobs, socket.gethostname())
    if as_json:
        out.print_json(orjson.dumps([job_json(j) for j in jobs]).decode())
    else:
        jobs_view.show_jobs(jobs, dead)


@app.command("status")
def status(
    job_id: int = typer.Argument(..., help="The job to show."),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of text."),
) -> None:
    """One job in detail."""
    import orjson

    from tracklog.entrypoints.cli import jobs_view
    from tracklog.entrypoints.shapes import job_json
    from tracklog.services.jobs import control

    with open_instance() as tracklog:
        job = control.get_job(tracklog.deps, job_id)
    if as_json:
        out.print_json(orjson.dumps(job_json(job)).decode())
    else:
        jobs_view.show_job(job)
