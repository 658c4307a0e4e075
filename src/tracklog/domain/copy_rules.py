"""Copy rules (SPEC §4.1, mode ``copy``): when a completion made elsewhere counts in an enrolment.

``TRACKLOG_COPY_RULES`` is JSON: ``{"match": "any"|"all", "rules": [{"type": "completedWithin",
"days": 90}, {"type": "withinContextDuration"}, {"type": "always"}]}``. Unset means the default
(completed within 90 days OR within the context's dates). Empty or invalid rules copy nothing
(fail closed); the problem is reported at start-up.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

DAY_MS = 86_400_000
SETTING = "TRACKLOG_COPY_RULES"


class Match(enum.StrEnum):
    ANY = "any"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class CompletedWithin:
    days: int

    @property
    def name(self) -> str:
        return f"completedWithin {self.days} days"

    def holds(self, completed_ts: int, window: ContextWindow | None, now_ts: int) -> bool:
        return now_ts - self.days * DAY_MS <= completed_ts


@dataclass(frozen=True, slots=True)
class WithinContextDuration:
    name = "withinContextDuration"

    def holds(self, completed_ts: int, window: ContextWindow | None, now_ts: int) -> bool:
        """Between the context's start and end; an unregistered context has no dates to match."""
        if window is None:
            return False
        after_start = window.start_ts is None or completed_ts >= window.start_ts
        before_end = window.end_ts is None or completed_ts <= window.end_ts
        return after_start and before_end


@dataclass(frozen=True, slots=True)
class Always:
    name = "always"

    def holds(self, completed_ts: int, window: ContextWindow | None, now_ts: int) -> bool:
        return True


Rule = CompletedWithin | WithinContextDuration | Always


@dataclass(frozen=True, slots=True)
class ContextWindow:
    """The dates of the context a copy would go into (``None`` bounds are open)."""

    start_ts: int | None
    end_ts: int | None


@dataclass(frozen=True, slots=True)
class CopyPolicy:
    match: Match
    rules: tuple[Rule, ...]
    problem: str | None = None  # why the configured rules were refused (then ``rules`` is empty)

    def reason(
        self, completed_ts: int | None, window: ContextWindow | None, now_ts: int
    ) -> str | None:
        """The rule(s) under which a completion at ``completed_ts`` is copied, or ``None``."""
        if completed_ts is None or not self.rules:
            return None
        held = [r.name for r in self.rules if r.holds(completed_ts, window, now_ts)]
        if self.match is Match.ANY:
            return held[0] if held else None
        return " and ".join(held) if len(held) == len(self.rules) else None

    def describe(self) -> str:
        if not self.rules:
            return "nothing is copied"
        joiner = " or " if self.match is Match.ANY else " and "
        return joiner.join(r.name for r in self.rules)


DEFAULT_POLICY = CopyPolicy(Match.ANY, (CompletedWithin(90), WithinContextDuration()))


class CopyRulesError(ValueError):
    """The configured rules are unusable; the message says which part."""


def parse_copy_rules(text: str | None) -> CopyPolicy:
    """The policy for a ``TRACKLOG_COPY_RULES`` value; never raises (fails closed instead)."""
    if text is None:
        return DEFAULT_POLICY
    try:
        return _parse(text)
    except CopyRulesError as error:
        return CopyPolicy(Match.ANY, (), problem=str(error))


def _parse(text: str) -> CopyPolicy:
    if not text.strip():
        raise CopyRulesError("is empty")
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise CopyRulesError(f"is not valid JSON ({error})") from None
    if not isinstance(raw, dict):
        raise CopyRulesError('must be a JSON object {"match": ..., "rules": [...]}')
    match_value = raw.get("match", "any")
    if match_value not in (Match.ANY.value, Match.ALL.value):
        raise CopyRulesError(f'"match" must be "any" or "all", not {match_value!r}')
    rules = raw.get("rules")
    if not isinstance(rules, list) or not rules:
        raise CopyRulesError('"rules" must be a non-empty list')
    parsed = tuple(_rule(item, index) for index, item in enumerate(rules))
    return CopyPolicy(Match(match_value), parsed)


def _rule(item: Any, index: int) -> Rule:
    where = f"rules[{index}]"
    if not isinstance(item, dict):
        raise CopyRulesError(f"{where} must be an object with a 'type'")
    kind = item.get("type")
    if kind == "completedWithin":
        days = item.get("days")
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise CopyRulesError(f"{where}.days must be a whole number of days >= 0")
        return CompletedWithin(days)
    if kind == "withinContextDuration":
        return WithinContextDuration()
    if kind == "always":
        return Always()
    allowed = "completedWithin, withinContextDuration, always"
    raise CopyRulesError(f"{where}.type must be one of {allowed}, not {kind!r}")


def startup_warning(policy: CopyPolicy, copy_mode: bool) -> str | None:
    """What start-up must report about the copy rules (``None`` when they are fine)."""
    if policy.problem is None:
        return None
    unused = "" if copy_mode else " (TRACKLOG_MODE is not copy, so the rules are not used)"
    return f"{SETTING} {policy.problem}: nothing will be copied (fail closed){unused}"
