"""``tracklog monitor``: evaluate the alert rules against the store, report and notify."""

from __future__ import annotations

import json
import signal
import threading
from typing import TYPE_CHECKING, Any

import typer

from tracklog.entrypoints.cli.console import fail, open_instance, out, settings

if TYPE_CHECKING:
    from tracklog.adapters.webhook import WebhookNotifier
    from tracklog.domain.alerts import Alert
    from tracklog.services.deps import Deps
    from tracklog.services.monitoring import MonitorReport


def monitor(
    once: bool = typer.Option(
        False, "--once", help="One round; exit 0 when healthy, 1 when an alert fires."
    ),
    interval: float = typer.Option(
        60.0, "--interval", min=1.0, help="Seconds between rounds (without --once)."
    ),
    webhook: str = typer.Option(
        None,
        "--webhook",
        help="POST each alert as JSON here when it starts and ends (default: "
        "TRACKLOG_MONITOR_WEBHOOK_URL).",
    ),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per round on stdout."),
) -> None:
    """Watch the pipeline: lag, backlog growth, dead letters, duplicate and conflict rates,
    reconciliation mismatches, and module types gone silent or far below their baseline."""
    from tracklog.adapters.webhook import WebhookNotifier

    current = settings()
    url = webhook or current.monitor_webhook_url
    if url is not None and not url.startswith(("http://", "https://")):
        fail(f"--webhook must be an http:// or https:// URL, not {url!r}")
    notifier = WebhookNotifier(url) if url else None
    stopping = threading.Event()
    if not once:
        signal.signal(signal.SIGTERM, lambda _s, _f: stopping.set())
        signal.signal(signal.SIGINT, lambda _s, _f: stopping.set())
    healthy = True
    try:
        with open_instance(current) as tracklog:
            healthy = _rounds(tracklog.deps, once, interval, notifier, as_json, stopping)
    finally:
        if notifier is not None:
            notifier.close()
    if once and not healthy:
        raise SystemExit(1)


def _rounds(
    deps: Deps,
    once: bool,
    interval: float,
    notifier: WebhookNotifier | None,
    as_json: bool,
    stopping: threading.Event,
) -> bool:
    from tracklog.services import monitoring

    environment = str(deps.settings.environment)
    firing: dict[tuple[str, str], Alert] = {}
    while True:
        report = monitoring.check_now(deps)
        started, ended = monitoring.changes(firing, report)
        firing = {monitoring.key_of(a): a for a in report.alerts}
        _show(report, as_json)
        _log(started, ended)
        if notifier is not None:
            for alert in started:
                notifier.send(monitoring.notification(alert, "firing", environment, report.at_ms))
            for alert in ended:
                notifier.send(monitoring.notification(alert, "resolved", environment, report.at_ms))
        if once or stopping.wait(interval):
            return report.healthy


def _show(report: MonitorReport, as_json: bool) -> None:
    from tracklog.services.monitoring import iso_ms

    if as_json:
        out.print_json(json.dumps(_as_json(report)), indent=None)
        return
    when = iso_ms(report.at_ms)
    if report.healthy:
        out.print(f"{when} healthy: no alert", highlight=False)
    for alert in report.alerts:
        colour = "red" if alert.severity == "page" else "yellow"
        out.print(
            f"{when} [bold {colour}]{alert.severity.upper()}[/] {alert.rule}: {alert.message}",
            highlight=False,
        )


def _as_json(report: MonitorReport) -> dict[str, Any]:
    from tracklog.services.monitoring import iso_ms

    latest = report.snapshot.samples[-1] if report.snapshot.samples else None
    return {
        "at": iso_ms(report.at_ms),
        "healthy": report.healthy,
        "alerts": [
            {
                "alert": str(a.rule),
                "severity": str(a.severity),
                "subject": a.subject,
                "message": a.message,
                "value": a.value,
                "threshold": a.threshold,
            }
            for a in report.alerts
        ],
        "backlog": latest.backlog if latest else None,
        "lagSeconds": latest.lag_seconds if latest else None,
        "deadLetters": latest.dead_letters if latest else None,
        "volumes": {
            v.module_type: {"current": v.current, "baseline": v.baseline}
            for v in report.snapshot.volumes
        },
    }


def _log(started: list[Alert], ended: list[Alert]) -> None:
    import logging

    log = logging.getLogger("tracklog.monitor")
    for alert in started:
        log.warning(
            "alert firing",
            extra={
                "alert": str(alert.rule),
                "severity": str(alert.severity),
                "subject": alert.subject,
                "value": alert.value,
                "threshold": alert.threshold,
                "detail": alert.message,
            },
        )
    for alert in ended:
        log.info("alert resolved", extra={"alert": str(alert.rule), "subject": alert.subject})
