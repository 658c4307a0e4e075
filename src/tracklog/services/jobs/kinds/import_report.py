"""What an import found, batch by batch, folded into the job's report: rows read, rejected (with
file, line and reason: the quarantine), changed, and the registry ids the export names but
Tracklog does not know."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from tracklog.domain.legacy import BadLine

Report = dict[str, Any]
ROWS_LISTED = 1000  # rejected rows listed in the report; beyond that they are counted
IDS_LISTED = 200


class Findings:
    """One batch's findings, built while the batch is worked."""

    def __init__(self, file: str):
        self.file = file
        self.read = 0
        self.changed = 0
        self.rejected: list[dict[str, Any]] = []
        self.unknown_collections: Counter[str] = Counter()
        self.unknown_batches: Counter[str] = Counter()
        self.pending: Counter[str] = Counter()
        self.registry_seen: dict[tuple[str, str], bool] = {}  # lookups made while working it

    def reject(self, line: int, reason: str, file: str | None = None) -> None:
        self.rejected.append({"file": file or self.file, "line": line, "reason": reason})

    def bad_line(self, bad: BadLine) -> None:
        self.reject(bad.line, bad.reason, bad.file)

    def as_json(self) -> Report:
        return {
            "files": {
                self.file: {
                    "read": self.read,
                    "rejected": len(self.rejected),
                    "changed": self.changed,
                }
            },
            "rejectedRows": self.rejected[:ROWS_LISTED],
            "rejectedCount": len(self.rejected),
            "unknownCollections": dict(self.unknown_collections),
            "unknownBatches": dict(self.unknown_batches),
            "pendingEvents": dict(self.pending),
        }


def fold(report: Report | None, findings: Report) -> Report:
    """The report with one more batch's findings (pure; the same whatever the batch size)."""
    total: Report = dict(report or {})
    files: dict[str, dict[str, int]] = {k: dict(v) for k, v in total.get("files", {}).items()}
    for name, counts in findings.get("files", {}).items():
        mine = files.setdefault(name, {"read": 0, "rejected": 0, "changed": 0})
        for key, value in counts.items():
            mine[key] = mine.get(key, 0) + value
    total["files"] = files
    listed = list(total.get("rejectedRows", []))
    listed.extend(findings.get("rejectedRows", [])[: max(0, ROWS_LISTED - len(listed))])
    total["rejectedRows"] = listed
    total["rejectedCount"] = total.get("rejectedCount", 0) + findings.get("rejectedCount", 0)
    for key in ("unknownCollections", "unknownBatches", "pendingEvents"):
        total[key] = _add(total.get(key, {}), findings.get(key, {}), cap=key != "pendingEvents")
    return total


def _add(left: Mapping[str, int], right: Mapping[str, int], *, cap: bool) -> dict[str, int]:
    merged = Counter(left)
    for key, value in right.items():
        if not cap or key in merged or len(merged) < IDS_LISTED:
            merged[key] += value
    return dict(merged)
