"""How big and how long each benchmark runs: full (documented), quick (smoke), tiny (tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Config:
    workdir: Path
    http_seconds: float = 8.0  # each closed-loop HTTP load
    connections: int = 32  # for the max-rate runs
    update_users: int = 1000
    sync_batch: int = 1000
    sync_batches: int = 30
    sync_users: int = 30
    read_users: int = 10_000
    read_contents: int = 10  # per collection, 3 collections: 30 records per learner
    read_connections: int = 4
    lag_seconds: float = 15.0
    mode: str = "full"

    @classmethod
    def quick(cls, workdir: Path) -> Config:
        return cls(
            workdir=workdir,
            http_seconds=2.0,
            sync_batches=6,
            sync_users=6,
            read_users=500,
            lag_seconds=3.0,
            mode="quick",
        )

    @classmethod
    def tiny(cls, workdir: Path) -> Config:
        """For the test that proves the harness runs: tiny sizes, no meaning in the figures."""
        return cls(
            workdir=workdir,
            http_seconds=1.0,
            connections=4,
            update_users=10,
            sync_batch=30,
            sync_batches=2,
            sync_users=2,
            read_users=5,
            read_contents=3,
            read_connections=1,
            lag_seconds=1.0,
            mode="tiny",
        )


Say = Callable[[str], None]
