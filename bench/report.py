"""Print the figures and write ``docs/benchmarks.md`` (results generated, analysis hand-written)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.figures import Figure
from bench.machine import Machine

ANALYSIS = Path(__file__).with_name("analysis.md")
SECTIONS = Path(__file__).with_name("sections")  # results of the other suites (jobs, server mode)
COMMAND = ".venv/bin/python -m bench"
REFERENCE = "(reference)"


def markdown(
    machine: Machine, figures: Sequence[Figure], *, mode: str, seconds: float, load_after: str
) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        f"Run them with `{COMMAND}` (two to three minutes; `--quick` for a 1-minute smoke run;",
        "`--only update sync reads lag` for some of them). It needs `wrk` (`apt-get install wrk`)",
        "for the HTTP load and falls back to a Python generator, saying so, without it. The",
        "command rewrites this file: the results below, then the analysis kept in",
        "`bench/analysis.md`. Targets are SPEC §9; every figure is set beside the bare limit",
        "measured in the same run, so the ratios matter more than the absolute numbers.",
        "",
        "## Latest results",
        "",
        f"Measured {when}, mode `{mode}`, {seconds:.0f} s in all.",
        "",
        *[f"- {line}" for line in machine.lines()],
        f"- load average after the run: {load_after}",
        "",
        "| benchmark | measured | target (SPEC §9) | bare limit (same run) | ratio | result |",
        "|---|---|---|---|---|---|",
        *[_row(f) for f in figures],
        "",
        "Notes per figure:",
        "",
        *[f"- **{f.name}**: {f.note}" for f in figures if f.note],
        "",
    ]
    misses = [f for f in figures if not f.passed and f.bottleneck]
    if misses:
        lines += ["Bottlenecks of the missed targets (profiled, see the analysis below):", ""]
        lines += [f"- **{f.name}**: {f.bottleneck}" for f in misses]
        lines.append("")
    if ANALYSIS.is_file():
        lines.append(ANALYSIS.read_text().rstrip())
        lines.append("")
    for section in sorted(SECTIONS.glob("*.md")):
        lines += [section.read_text().rstrip(), ""]
    return "\n".join(lines)


def _row(f: Figure) -> str:
    bare = f"{f.bare:,.2f} {f.unit} ({f.bare_name})" if f.bare is not None else "—"
    ratio = f"{f.ratio:.1%}" if f.ratio is not None else "—"
    verdict = "reference" if f.target == REFERENCE else "pass" if f.passed else "**miss**"
    return f"| {f.name} | {f.measured:,.2f} {f.unit} | {f.target} | {bare} | {ratio} | {verdict} |"
