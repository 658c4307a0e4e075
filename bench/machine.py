"""What the figures were measured on: cores, CPU model, Python, SQLite, load."""

from __future__ import annotations

import os
import platform
import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Machine:
    cores: int
    cpu_model: str
    python: str
    sqlite: str
    load_before: str
    system: str

    def lines(self) -> list[str]:
        return [
            f"cores: {self.cores}",
            f"CPU: {self.cpu_model}",
            f"Python: {self.python}",
            f"SQLite: {self.sqlite}",
            f"system: {self.system}",
            f"load average before the run (1/5/15 min): {self.load_before}",
        ]


def describe() -> Machine:
    return Machine(
        cores=os.cpu_count() or 1,
        cpu_model=_cpu_model(),
        python=f"{platform.python_implementation()} {platform.python_version()}",
        sqlite=sqlite3.sqlite_version,
        load_before=load_average(),
        system=f"{platform.system()} {platform.release()}",
    )


def load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"
