"""One measured figure, its SPEC §9 target, and the bare limit measured in the same run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    measured: float
    unit: str
    target: str
    passed: bool
    bare: float | None = None  # the bare limit's figure, same unit, same run
    bare_name: str = ""
    note: str = ""
    bottleneck: str = ""  # named where the target is missed

    @property
    def ratio(self) -> float | None:
        if self.bare is None or not self.bare:
            return None
        return self.measured / self.bare

    def line(self) -> str:
        ratio = (
            f" = {self.ratio:.1%} of {self.bare_name} ({self.bare:,.1f} {self.unit})"
            if (self.ratio is not None)
            else ""
        )
        verdict = "PASS" if self.passed else "MISS"
        measured = f"{self.measured:,.2f} {self.unit}"
        return f"[{verdict}] {self.name}: {measured}{ratio}; target {self.target}"
