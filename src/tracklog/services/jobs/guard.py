"""The guard: a job acts only on the environment it was meant for; production only on purpose."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tracklog.settings import Environment

Prompt = Callable[[str], str]


class JobRefused(Exception):
    """The job must not run; the message says why and what to do instead."""


@dataclass(frozen=True, slots=True)
class GuardInput:
    configured: Environment  # TRACKLOG_ENVIRONMENT
    stamped: str | None  # the environment stamped in the database at first start
    confirm: str | None  # --confirm ENVIRONMENT
    prompt: Prompt | None  # set only when a human is at a terminal


def check(guard: GuardInput, database: str) -> None:
    """Raise ``JobRefused`` unless this job may change data here."""
    if guard.stamped is not None and guard.stamped != guard.configured.value:
        raise JobRefused(
            f"TRACKLOG_ENVIRONMENT={guard.configured.value} but the database {database} is "
            f"stamped '{guard.stamped}': refusing to run a job against another environment's "
            "data. Check TRACKLOG_DATABASE_URL."
        )
    if guard.confirm is not None and guard.confirm != guard.configured.value:
        raise JobRefused(
            f"--confirm {guard.confirm} does not match this environment "
            f"({guard.configured.value}); nothing was changed"
        )
    if guard.configured is not Environment.PRODUCTION or guard.confirm is not None:
        return
    if guard.prompt is None:
        raise JobRefused(
            f"this is PRODUCTION ({database}): add --confirm production to run the job, "
            "or run it from a terminal and type the environment name; nothing was changed"
        )
    typed = guard.prompt(f"This changes PRODUCTION data in {database}. Type 'production' to go on")
    if typed.strip() != Environment.PRODUCTION.value:
        raise JobRefused(f"you typed {typed.strip()!r}, not 'production'; nothing was changed")
