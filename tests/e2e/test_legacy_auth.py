"""Who is calling a legacy route: the gateway key and the learner's token as Sunbird clients send
them, a Tracklog JWT alone, managed users, and the optional grace for expired tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Api, MakeTracklog
from tracklog.adapters.tokens import TokenCodec
from tracklog.domain.access import Role
from tracklog.domain.api_keys import hash_key
from tracklog.entrypoints.api.app import create_app

USER, MANAGED = "learner-1", "child-1"
KEY = "the-gateway-key"
UPDATE = "/api/course/v1/content/state/update"
READ = "/api/course/v1/content/state/read"
ITEM = {"contentId": "do_1", "courseId": "do_c", "batchId": "do_c", "status": 2}
MakeApi = Callable[..., Api]


@pytest.fixture
def make_api(make_tracklog: MakeTracklog) -> Iterator[MakeApi]:
    clients: list[TestClient] = []

    def make(**settings: Any) -> Api:
        instance = make_tracklog(**settings)
        client = TestClient(create_app(instance, manage_lifecycle=False))
        client.__enter__()
        clients.append(client)
        return Api(client, TokenCodec(instance.deps.settings))

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def update(api: Api, headers: dict[str, str], body: Any = None) -> httpx.Response:
    request = body if body is not None else {"request": {"contents": [ITEM]}}
    response: httpx.Response = api.client.patch(UPDATE, json=request, headers=headers)
    return response


def applied(response: httpx.Response) -> bool:
    assert response.status_code == 200, response.json()
    return bool(response.json()["result"].get("do_1") == "SUCCESS")


def refused(response: httpx.Response, status: int, code: str) -> str:
    body = response.json()
    assert response.status_code == status, body
    assert (body["params"]["err"], body["params"]["status"]) == (code, code)
    message: str = body["params"]["errmsg"]
    return message


def users_with_records(api: Api) -> set[str]:
    found = set()
    for user in (USER, MANAGED):
        read = api.client.post(
            "/v1/view/read",
            json={"userId": user, "collectionId": "do_c"},
            headers=api.headers("admin", Role.ADMIN),
        )
        if read.json()["result"]["contents"]:
            found.add(user)
    return found


def test_without_configured_keys_the_bearer_is_left_to_the_gateway(make_api: MakeApi) -> None:
    api = make_api()
    sunbird = {"Authorization": "Bearer anything", "X-Authenticated-User-Token": api.token(USER)}
    assert applied(update(api, sunbird))


def test_configured_keys_are_checked_against_their_hashes(make_api: MakeApi) -> None:
    api = make_api(legacy_api_keys=f"{hash_key('old-key')},{hash_key(KEY)}")
    token = api.token(USER)
    good = {"Authorization": f"Bearer {KEY}", "X-Authenticated-User-Token": token}
    assert applied(update(api, good))
    bad = {"Authorization": "Bearer not-the-key", "X-Authenticated-User-Token": token}
    assert "TRACKLOG_LEGACY_API_KEYS" in refused(update(api, bad), 401, "UNAUTHORIZED")


@pytest.mark.parametrize("header", ["Authorization", "X-Authenticated-User-Token"])
def test_a_tracklog_jwt_alone_in_either_header_works(make_api: MakeApi, header: str) -> None:
    api = make_api(legacy_api_keys=hash_key(KEY))
    token = api.token(USER)
    value = f"Bearer {token}" if header == "Authorization" else token
    assert applied(update(api, {header: value}))


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-jwt"}, {"X-Authenticated-User-Token": "nope"}],
)
def test_no_token_or_a_bad_one_is_a_401(make_api: MakeApi, headers: dict[str, str]) -> None:
    api = make_api()
    response = update(api, headers)
    refused(response, 401, "UNAUTHORIZED")
    assert response.json()["id"] == "api.content.state.update"


def test_a_managed_users_token_acts_for_that_user(make_api: MakeApi) -> None:
    api = make_api()
    parent = api.token(USER)
    child = api.codec.mint(MANAGED, [Role.LEARNER], 3600, parentId=USER)
    headers = {"X-Authenticated-User-Token": parent, "X-Authenticated-For": child}
    assert applied(update(api, headers))
    assert users_with_records(api) == {MANAGED}
    stranger = api.codec.mint(MANAGED, [Role.LEARNER], 3600, parentId="someone-else")
    response = update(api, {**headers, "X-Authenticated-For": stranger})
    assert "parentId" in refused(response, 403, "FORBIDDEN")
    unclaimed = api.codec.mint(MANAGED, [Role.LEARNER], 3600)
    refused(update(api, {**headers, "X-Authenticated-For": unclaimed}), 403, "FORBIDDEN")


def test_an_expired_token_is_refused_unless_the_grace_covers_it(make_api: MakeApi) -> None:
    strict = make_api()
    expired = strict.token(USER, ttl_s=-3600)
    response = update(strict, {"X-Authenticated-User-Token": expired})
    assert "expired" in refused(response, 401, "UNAUTHORIZED")

    lenient = make_api(legacy_token_grace="1d")
    assert applied(update(lenient, {"X-Authenticated-User-Token": expired}))
    too_old = lenient.token(USER, ttl_s=-2 * 86400)
    refused(update(lenient, {"X-Authenticated-User-Token": too_old}), 401, "UNAUTHORIZED")


def test_the_grace_is_for_the_update_and_the_tokens_own_user_only(make_api: MakeApi) -> None:
    api = make_api(legacy_token_grace="7d")
    expired_admin = api.token("admin-1", Role.ADMIN, ttl_s=-60)
    headers = {"X-Authenticated-User-Token": expired_admin}
    for_other = {"request": {"userId": USER, "contents": [ITEM]}}
    refused(update(api, headers, for_other), 403, "USER_MISMATCH")
    expired = api.token(USER, ttl_s=-60)
    read = api.client.post(
        READ,
        json={"request": {"courseId": "do_c", "batchId": "do_c"}},
        headers={"X-Authenticated-User-Token": expired},
    )
    refused(read, 401, "UNAUTHORIZED")
    child = api.codec.mint(MANAGED, [Role.LEARNER], 3600, parentId=USER)
    managed = {"X-Authenticated-User-Token": expired, "X-Authenticated-For": child}
    refused(update(api, managed), 401, "UNAUTHORIZED")
    assert users_with_records(api) == set()
