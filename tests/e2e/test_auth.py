"""Who is calling (SPEC §3.1): no, bad or expired token is a 401; acting for another is a 403."""

from __future__ import annotations

import jwt
import pytest

from tests.conftest import Api
from tests.e2e.checks import assert_rejected
from tracklog.domain.access import Role


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
