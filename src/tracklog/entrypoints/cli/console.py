"""Shared CLI plumbing: settings, the environment banner, opening an instance, errors as exit codes.

Heavy modules (the app, SQLAlchemy, the services) are imported inside functions so that
``tracklog --help`` and every ``--help`` answer at once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal, NoReturn, TypeVar

from rich.console import Console

if TYPE_CHECKING:
    from tracklog.bootstrap import Tracklog
    from tracklog.settings import Settings

console = Console(stderr=True)
out = Console()
T = TypeVar("T")
Need = Literal["service", "ready", "any-mode", "nothing"]


def fail(message: str, code: int = 2) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise SystemExit(code)


def settings() -> Settings:
    from tracklog.settings import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as error:
        fail(str(error))


def banner(current: Settings) -> None:
    """Every command says first which environment it acts on; production in red."""
    from tracklog.bootstrap import startup_warnings

    env = current.environment
    style = {"production": "bold white on red", "staging": "bold black on yellow"}.get(
        env.value, "bold green"
    )
    console.print(f"[{style}] {env.value.upper()} [/] tracklog · mode {current.mode.value}")
    for warning in startup_warnings(current):
        console.print(f"[yellow]warning:[/] {warning}")


@contextmanager
def open_instance(current: Settings | None = None, need: Need = "ready") -> Iterator[Tracklog]:
    """Banner, wiring, the instance check the command needs, and closing on the way out.

    ``service``: create and stamp an empty database, refuse a stamped mismatch (serve, worker,
    demo, migrate). ``ready``: the database exists with this release's schema and mode.
    ``any-mode``: as ready, whatever mode it is stamped with (``mode show|adopt``).
    ``nothing``: no check (``db upgrade`` makes its own).
    """
    from tracklog.bootstrap import bootstrap
    from tracklog.domain.errors import TracklogError
    from tracklog.services import instance

    current = current or settings()
    banner(current)
    tracklog = guarded(lambda: bootstrap(current))
    try:
        if need == "service":
            guarded(lambda: instance.open_for_service(tracklog.deps, tracklog.schema))
        elif need in ("ready", "any-mode"):
            check = need == "ready"
            guarded(
                lambda: instance.require_ready(tracklog.deps, tracklog.schema, check_mode=check)
            )
        yield tracklog
    except TracklogError as error:  # a domain error ends the command with its message
        fail(error.message)
    finally:
        tracklog.close()


def guarded(action: Callable[[], T]) -> T:
    """Refusals and unreachable stores end the command with one sentence, not a traceback."""
    from tracklog.adapters.store.engine import UnsupportedDatabase
    from tracklog.domain.errors import Unavailable
    from tracklog.services.instance import InstanceRefused
    from tracklog.settings import SettingsError

    try:
        return action()
    except (InstanceRefused, SettingsError, UnsupportedDatabase) as error:
        fail(f"{error}")
    except Unavailable as error:
        fail(error.message)


def interactive() -> bool:
    return sys.stdin.isatty()
