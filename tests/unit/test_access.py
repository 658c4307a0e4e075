"""Who may act for whom (SPEC §3.1): learners for themselves, admins for anyone, reporters read."""

from __future__ import annotations

import pytest

from tracklog.domain.access import Action, Principal, Role, acting_user, require
from tracklog.domain.errors import Forbidden, MissingInput, UserMismatch


def who(user_id: str, *roles: Role) -> Principal:
    return Principal(user_id, frozenset(roles))


LEARNER = who("learner-1", Role.LEARNER)
ADMIN = who("admin-1", Role.ADMIN)
REPORTER = who("reporter-1", Role.REPORTER)
OPS = who("ops-1", Role.OPS)


@pytest.mark.parametrize("action", [Action.WRITE, Action.READ, Action.DOWNLOAD])
def test_a_learner_acts_for_themselves_with_or_without_user_id(action: Action) -> None:
    assert acting_user(LEARNER, None, action) == "learner-1"
    assert acting_user(LEARNER, "learner-1", action) == "learner-1"


@pytest.mark.parametrize("action", list(Action))
def test_a_learner_acting_for_another_user_is_a_user_mismatch(action: Action) -> None:
    with pytest.raises(UserMismatch) as raised:
        acting_user(LEARNER, "learner-2", action)
    assert raised.value.code == "USER_MISMATCH"
    assert raised.value.field == "userId"
    assert "learner-2" in raised.value.message


@pytest.mark.parametrize("action", list(Action))
def test_an_admin_may_act_for_anyone(action: Action) -> None:
    assert acting_user(ADMIN, "learner-2", action) == "learner-2"


def test_a_reporter_reads_and_downloads_anyones_data_but_writes_nothing() -> None:
    assert acting_user(REPORTER, "learner-2", Action.READ) == "learner-2"
    assert acting_user(REPORTER, "learner-2", Action.DOWNLOAD) == "learner-2"
    with pytest.raises(Forbidden):
        acting_user(REPORTER, "learner-2", Action.WRITE)
    with pytest.raises(Forbidden):
        acting_user(REPORTER, None, Action.WRITE)


def test_ops_runs_jobs_but_does_not_read_learners_data() -> None:
    require(OPS, Action.OPERATE)
    with pytest.raises(Forbidden):
        acting_user(OPS, "learner-2", Action.READ)


def test_registry_changes_need_an_admin() -> None:
    require(ADMIN, Action.ADMINISTER)
    for principal in (LEARNER, REPORTER, OPS):
        with pytest.raises(Forbidden) as raised:
            require(principal, Action.ADMINISTER)
        assert "admin" in raised.value.message


def test_a_caller_without_a_user_must_name_one() -> None:
    nobody = who("", *Role)
    with pytest.raises(MissingInput) as raised:
        acting_user(nobody, None, Action.WRITE)
    assert raised.value.field == "userId"
    assert acting_user(nobody, "learner-9", Action.WRITE) == "learner-9"
