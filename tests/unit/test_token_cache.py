"""Verified tokens are remembered, but never past their expiry."""

from __future__ import annotations

import time

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
