"""Who is calling (SPEC §3.1): no, bad or expired token is a 401; acting for another is a 403."""

from __future__ import annotations

import time

import jwt
import pytest

from tests.conftest import Api
from tests.e2e.checks import assert_rejected
from tracklog.domain.access import Role
from tracklog.testing.instances import TEST_SECRET


def test_a_learner_acting_for_another_user_is_forbidden(api: Api) -> None:
    response = api.post("/v1/view/start", {"userId": "learner-2", "contentId": "a"})
    assert_rejected(response, 403, "USER_MISMATCH", "userId")


def test_a_missing_token_is_unauthorized(api: Api) -> None:
    response = api.client.post("/v1/view/start", json={"request": {"contentId": "a"}})
    assert_rejected(response, 401, "UNAUTHORIZED", "Authorization")


def test_without_a_token_even_a_bad_body_is_a_401_not_a_400(api: Api) -> None:
    response = api.client.post("/v1/view/update", json={"progress": 500})
    assert_rejected(response, 401, "UNAUTHORIZED", "Authorization")


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-jwt", "Basic bGVhcm5lcjpwdw==", "Bearer "],
)
def test_a_bad_token_is_unauthorized(api: Api, authorization: str) -> None:
    response = api.client.post(
        "/v1/view/start", json={"contentId": "a"}, headers={"Authorization": authorization}
    )
    assert_rejected(response, 401, "UNAUTHORIZED", "Authorization")


def test_a_token_signed_with_another_secret_is_unauthorized(api: Api) -> None:
    forged = jwt.encode({"sub": "learner-1", "roles": ["admin"], "exp": 2**40}, "x" * 40)
    response = api.client.post(
        "/v1/view/start", json={"contentId": "a"}, headers={"Authorization": f"Bearer {forged}"}
    )
    assert_rejected(response, 401, "UNAUTHORIZED", "Authorization")


def test_an_expired_token_is_unauthorized(api: Api) -> None:
    expired = api.token("learner-1", Role.LEARNER, ttl_s=-60)
    response = api.client.post(
        "/v1/view/start", json={"contentId": "a"}, headers={"Authorization": f"Bearer {expired}"}
    )
    body = assert_rejected(response, 401, "UNAUTHORIZED", "Authorization")
    assert "expired" in body["params"]["errmsg"]


def signed(claims: dict[str, object]) -> dict[str, str]:
    """A token signed with the right secret whose claims may still be malformed."""
    token = jwt.encode({"exp": int(time.time()) + 600, **claims}, TEST_SECRET, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "learner-1", "roles": [["admin"]]},
        {"sub": "learner-1", "roles": [{"role": "admin"}]},
        {"sub": "learner-1", "roles": {"admin": True}},
        {"sub": "learner-1", "roles": "admin"},
        {"sub": "learner-1", "roles": [1]},
        {"sub": 5, "roles": ["learner"]},
        {"sub": ["learner-1"], "roles": ["learner"]},
        {"sub": "", "roles": ["admin"]},
        {"sub": "x" * 257, "roles": ["learner"]},
        {"sub": "learner\u0000", "roles": ["learner"]},
        {"sub": "learner-1", "roles": ["learner"], "exp": str(int(time.time()) + 600)},
        {"sub": "learner-1", "roles": ["learner"], "exp": True},
        {"sub": "learner-1", "roles": ["learner"], "iat": "1700000000"},
        {"sub": "learner-1", "roles": ["learner"], "nbf": "1700000000"},
    ],
)
def test_a_correctly_signed_token_with_a_malformed_claim_is_unauthorized(
    api: Api, claims: dict[str, object]
) -> None:
    response = api.client.post("/v1/view/start", json={"contentId": "a"}, headers=signed(claims))
    assert_rejected(response, 401, "UNAUTHORIZED", "Authorization")


def test_a_reporter_writing_is_told_in_words_which_roles_may_write(api: Api) -> None:
    response = api.post("/v1/view/start", {"contentId": "a"}, "reporter-1", Role.REPORTER)
    body = assert_rejected(response, 403, "FORBIDDEN", "reporter")
    assert body["params"]["errmsg"] == (
        "the roles reporter may not write tracking data; "
        "writing needs learner (for oneself) or admin"
    )


def test_a_learner_running_a_job_is_told_in_words_which_roles_may(api: Api) -> None:
    response = api.client.get("/v1/ops/jobs", headers=api.headers())
    body = assert_rejected(response, 403, "FORBIDDEN", "ops")
    assert body["params"]["errmsg"] == (
        "the roles learner may not use the operations API (jobs, pipeline); this needs admin or ops"
    )
