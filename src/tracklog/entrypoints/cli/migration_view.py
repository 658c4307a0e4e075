"""How migration, reconciliation and the migration status look on the command line."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from tracklog.domain.jobs import Job
from tracklog.entrypoints.cli.console import console, out
from tracklog.services.migration_status import MigrationStatus

COLUMNS = ("expected", "found", "missing", "different", "extra", "pendingInLegacy")


def show_reconciliation(report: dict[str, Any]) -> None:
    table = Table("module type", *COLUMNS, title=f"reconciliation of {report['source']}")
    for name, counts in report["moduleTypes"].items():
        clean = not any(counts[c] for c in COLUMNS[2:])
        style = "green" if clean else "bold red"
        table.add_row(f"[{style}]{name}[/]", *(str(counts[c]) for c in COLUMNS))
    out.print(table)
    verdict = "[green]clean[/]" if report["clean"] else "[bold red]NOT clean[/]"
    pending = sum(counts["pendingInLegacy"] for counts in report["moduleTypes"].values())
    console.print(
        f"reconciliation {verdict}: {report['differenceCount']} difference(s), "
        f"{pending} event(s) still pending in the legacy system"
    )
    for difference in report["differences"][:20]:
        key = difference["key"]
        console.print(
            f"  {difference['kind']:9} {difference['moduleType']:12} {difference['day']} "
            f"{key['userId']} {key['courseId']} {key['batchId']} {key['contentId']}",
            markup=False,
            highlight=False,
        )


def show_import(job: Job) -> None:
    report = job.report or {}
    table = Table("file", "read", "rejected", "changed", title=f"{job.kind} (job {job.id})")
    for name, counts in report.get("files", {}).items():
        table.add_row(name, str(counts["read"]), str(counts["rejected"]), str(counts["changed"]))
    out.print(table)
    for rejected in report.get("rejectedRows", [])[:20]:
        console.print(
            f"  rejected {rejected['file']}:{rejected['line']}: {rejected['reason']}",
            markup=False,
            highlight=False,
        )
    for label, key in (("collections", "unknownCollections"), ("batches", "unknownBatches")):
        unknown = report.get(key, {})
        if unknown:
            names = ", ".join(sorted(unknown)[:10])
            console.print(
                f"[yellow]imported, but not registered:[/] {len(unknown)} {label} ({names})"
            )


def show_status(status: MigrationStatus) -> None:
    if status.complete:
        console.print(
            "[green]migration complete[/]: the last reconciliation is clean and saw no "
            "pending legacy events"
        )
        return
    console.print("[bold red]migration NOT complete[/]:")
    for reason in status.reasons:
        console.print(f"  - {reason}", markup=False, highlight=False)
