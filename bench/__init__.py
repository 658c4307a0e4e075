"""Tracklog's benchmark suite (SPEC §9): ``python -m bench [--quick]``; see docs/benchmarks.md."""
