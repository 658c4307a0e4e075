"""Shared CLI plumbing: settings, the environment banner, errors as exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

from rich.console import Console

from tracklog.bootstrap import StartupRefused, Tracklog, bootstrap, startup_warnings
from tracklog.settings import Environment, Settings, SettingsError, load_settings

console = Console(stderr=True)
out = Console()
T = TypeVar("T")


def fail(message: str, code: int = 2) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}")
    raise SystemExit(code)


def settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        fail(str(error))


def banner(current: Settings) -> None:
    """Every command says first which environment it acts on; production in red."""
    env = current.environment
    style = {"production": "bold white on red", "staging": "bold black on yellow"}.get(
        env.value, "bold green"
    )
    console.print(f"[{style}] {env.value.upper()} [/] tracklog · mode {current.mode.value}")
    for warning in startup_warnings(current):
        console.print(f"[yellow]warning:[/] {warning}")


def instance(current: Settings, migrate: str = "if-empty") -> Tracklog:
    return guarded(lambda: bootstrap(current, migrate=migrate))


def guarded(action: Callable[[], T]) -> T:
    try:
        return action()
    except (StartupRefused, SettingsError) as error:
        fail(str(error))


def is_production(current: Settings) -> bool:
    return current.environment is Environment.PRODUCTION


def interactive() -> bool:
    return sys.stdin.isatty()
