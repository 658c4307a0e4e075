"""Verified tokens are remembered, but never past their expiry."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from tracklog.adapters.tokens import TokenCodec
from tracklog.domain.access import Role
from tracklog.domain.errors import Unauthorized
from tracklog.settings import Settings
from tracklog.testing.instances import TEST_SECRET


def test_a_remembered_token_stops_working_when_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    codec = TokenCodec(Settings.model_validate({"auth_jwt_secret": TEST_SECRET}))
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)  # the codec reads this clock
    token = codec.mint("learner-1", [Role.LEARNER], ttl_s=60)
    assert codec.decode(token).user_id == "learner-1"
    assert codec.decode(token).user_id == "learner-1"  # from memory
    now += 61
    with pytest.raises(Unauthorized, match="expired"):
        codec.decode(token)


def test_a_bad_token_is_never_remembered() -> None:
    codec = TokenCodec(Settings.model_validate({"auth_jwt_secret": TEST_SECRET}))
    good = codec.mint("learner-1", [Role.LEARNER], ttl_s=60)
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    for _ in range(2):
        with pytest.raises(Unauthorized):
            codec.decode(forged)


def test_a_legacy_route_token_is_checked_once_and_one_in_its_grace_period_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``verify`` (what the legacy routes use) remembers a good token with its claims; a token
    accepted only through the grace period after its expiry is verified again on each use."""
    codec = TokenCodec(Settings.model_validate({"auth_jwt_secret": TEST_SECRET}))
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    checks: list[str] = []
    real_decode = jwt.decode

    def counted(token: str, *args: Any, **kwargs: Any) -> Any:
        checks.append(token)
        return real_decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counted)
    token = codec.mint("learner-1", [Role.LEARNER], ttl_s=60, parentId="parent-1")
    for _ in range(3):
        decoded = codec.verify(token, header="X-Authenticated-User-Token")
        assert (decoded.principal.user_id, decoded.expired) == ("learner-1", False)
        assert decoded.claims["parentId"] == "parent-1"
    assert len(checks) == 1
    now += 61  # expired, within a grace of 120 s
    for _ in range(2):
        assert codec.verify(token, grace_s=120).expired
    assert len(checks) == 3
    with pytest.raises(Unauthorized, match="X-Authenticated-User-Token has expired"):
        codec.verify(token, header="X-Authenticated-User-Token")
