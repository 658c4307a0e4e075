"""``tracklog migrate legacy|status``, ``tracklog reconcile``, ``tracklog backfill``: moving
from the legacy system without trusting an empty queue (SPEC §6, docs/migration.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from tracklog.entrypoints.cli import job_running
from tracklog.entrypoints.cli.console import console, fail, open_instance, out

app = typer.Typer(help="Migration from the legacy Sunbird system.", no_args_is_help=True)

FROM = typer.Option(..., "--from", help="The folder exported from Cassandra (docs/migration.md).")
CONFIRM = typer.Option(None, "--confirm", help="The environment name; required in production.")
BATCH = typer.Option(None, "--batch-size", min=1, max=100_000, help="Rows per transaction.")
RATE = typer.Option(None, "--max-rate", min=1, help="Rows per second at most.")
ACTOR = typer.Option(None, "--actor", help="Who runs it (default: the OS user).")
REJECTED_EXIT = 3  # finished, with rows quarantined


@app.command("legacy")
def legacy(
    source: Path = FROM,
    dry_run: bool = typer.Option(False, "--dry-run", help="Plan only: count, write nothing."),
    confirm: str | None = CONFIRM,
    batch_size: int | None = BATCH,
    max_rate: int | None = RATE,
    actor: str | None = ACTOR,
) -> None:
    """Import a legacy export as a guarded job. Exit 0: all imported; 3: finished, some rows
    quarantined (listed); 1: the job did not finish; 2: refused or bad input."""
    from tracklog.entrypoints.cli import migration_view

    job = job_running.run_kind(
        "migrate-legacy",
        {"source": str(source)},
        dry_run=dry_run,
        confirm=confirm,
        batch_size=batch_size,
        max_rate=max_rate,
        actor=actor,
    )
    if job is not None:
        migration_view.show_import(job)
        rejected = (job.report or {}).get("rejectedCount", 0)
        console.print("next: `tracklog reconcile --from DIR`, then `tracklog migrate status`")
        if rejected:
            console.print(
                f"[yellow]{rejected} row(s) rejected[/] (quarantined in job {job.id}'s report)"
            )
            raise SystemExit(REJECTED_EXIT)


@app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="JSON instead of text.")) -> None:
    """Complete (exit 0) only when the last reconciliation is newer than the last migrate or
    backfill, clean for every module type, and saw an empty legacy queue; else exit 1."""
    import orjson

    from tracklog.entrypoints.cli import migration_view
    from tracklog.entrypoints.shapes import reconciliation_json
    from tracklog.services.migration_status import migration_status

    with open_instance() as tracklog:
        found = migration_status(tracklog.deps)
    if as_json:
        checked = found.last_reconciliation
        body = {
            "complete": found.complete,
            "reasons": found.reasons,
            "lastImportJob": found.last_import.id if found.last_import else None,
            "lastReconciliation": reconciliation_json(checked) if checked else None,
        }
        out.print_json(orjson.dumps(body).decode())
    else:
        migration_view.show_status(found)
    if not found.complete:
        raise SystemExit(1)


def reconcile(
    source: Path = FROM,
    report: Path | None = typer.Option(None, "--report", help="Write the JSON report here."),
    actor: str | None = ACTOR,
) -> None:
    """Compare a legacy export with Tracklog per module type and day (writes no data). Exit 0
    when clean, 1 when anything differs or is pending in the legacy system, 2 on bad input."""
    found = _reconcile(source, report, actor)
    if not found["clean"]:
        raise SystemExit(1)


def _reconcile(source: Path, report: Path | None, actor: str | None) -> dict[str, object]:
    import orjson

    from tracklog.entrypoints.cli import migration_view
    from tracklog.entrypoints.shapes import reconciliation_json

    job = job_running.run_kind(
        "reconcile",
        {"source": str(source)},
        dry_run=False,
        confirm=None,
        batch_size=None,
        max_rate=None,
        actor=actor,
    )
    assert job is not None
    body = reconciliation_json(job)
    migration_view.show_reconciliation(body)
    if report is not None:
        report.write_bytes(orjson.dumps(body, option=orjson.OPT_INDENT_2))
        console.print(f"report written to {report}")
    return body


def backfill(
    source: Path = FROM,
    report: Path | None = typer.Option(
        None, "--report", help="A reconciliation report of this source (else reconcile first)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Plan only: count, write nothing."),
    confirm: str | None = CONFIRM,
    batch_size: int | None = BATCH,
    max_rate: int | None = RATE,
    actor: str | None = ACTOR,
) -> None:
    """Apply what a reconciliation finds missing or different, as a guarded job, then reconcile
    again and show the result. Idempotent; abortable and roll-backable like every job."""
    import orjson

    if report is not None:
        given = orjson.loads(report.read_bytes())
        if Path(str(given.get("source", ""))).resolve() != source.resolve():
            fail(f"{report} is a reconciliation of {given.get('source')}, not of {source}")
        console.print(f"reconciliation {report}: {given.get('differenceCount', 0)} difference(s)")
    elif not dry_run:
        console.print("reconciling first ...")
        before = _reconcile(source, None, actor)
        if before["clean"]:
            console.print("[green]nothing to backfill[/]: the reconciliation is clean")
            return
    job_running.run_kind(
        "backfill",
        {"source": str(source)},
        dry_run=dry_run,
        confirm=confirm,
        batch_size=batch_size,
        max_rate=max_rate,
        actor=actor,
    )
    if dry_run:
        return
    console.print("reconciling again ...")
    after = _reconcile(source, None, actor)
    if not after["clean"]:
        raise SystemExit(1)
