"""Schemathesis judges the OpenAPI document: requests generated from it for every operation, valid
and invalid (the document's examples, boundary values, random data), are answered without a 500,
with a documented status, media type and body. Embedded SQLite, in-process.

The document is built from the routers alone (no instance needed, so it exists when pytest
collects one test per operation) and checked to be the one the app serves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks

from tracklog import __version__
from tracklog.adapters.tokens import TokenCodec
from tracklog.domain.access import Role
from tracklog.entrypoints.api import openapi
from tracklog.entrypoints.api.app import DESCRIPTION, ROUTERS, TITLE, create_app
from tracklog.settings import Settings
from tracklog.testing.instances import TEST_SECRET, ready_instance

# Every check schemathesis has but two, which hold the document to more than it promises:
# - positive_data_acceptance wants every schema-valid request to succeed, but some bounds cannot
#   be said in JSON Schema (eventTs at most 24 h ahead of now, score at most maxScore, endDate not
#   before startDate); such requests get a documented 400, still checked for conformance.
# - negative_data_rejection wants every schema-violating request refused, but the API is liberal
#   by contract (SPEC 3.1): unknown fields and query parameters are ignored, a bare object is
#   accepted for {"request": ...}, and a bad event in view/sync is rejected alone inside a 200.
#   Invalid data is still generated and every answer to it checked (no 500, documented status).
CHECKS = [
    not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.missing_required_header,
    checks.unsupported_method,
    checks.allow_header_conformance,
    checks.use_after_free,
    checks.ensure_resource_availability,
    checks.ignored_auth,
    checks.object_level_authorization,
]


def routes_document() -> dict[str, Any]:
    bare = FastAPI(title=TITLE, version=__version__, description=DESCRIPTION)
    for router in ROUTERS:
        bare.include_router(router)
    openapi.install(bare)
    return bare.openapi()


schema = schemathesis.openapi.from_dict(routes_document())


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {"database_url": f"sqlite:///{tmp_path / 'fuzz.db'}", "auth_jwt_secret": TEST_SECRET}
    )


@pytest.fixture
def app(app_settings: Settings) -> Iterator[FastAPI]:
    instance = ready_instance(app_settings)
    yield create_app(instance, manage_lifecycle=False)
    instance.close()


def token_for(app_settings: Settings, method: str, path: str) -> str:
    """The token of the role that uses the operation, so requests get past auth."""
    if path.startswith("/v1/ops/"):
        user, role = "ops-1", Role.OPS
    elif method == "PUT" or path.startswith("/v1/summary/delete"):
        user, role = "admin-1", Role.ADMIN
    elif method == "GET" and path.startswith(("/v1/summary/", "/v1/explain")):
        user, role = "reporter-1", Role.REPORTER
    else:
        user, role = "learner-1", Role.LEARNER
    return TokenCodec(app_settings).mint(user, [role], 3600)


def test_the_fuzzed_document_is_the_one_the_app_serves(app: FastAPI) -> None:
    with TestClient(app) as client:
        assert client.get("/openapi.json").json() == routes_document()


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_document_says(
    case: schemathesis.Case[Any], app: FastAPI, app_settings: Settings
) -> None:
    # This test's instance answers; the probes some checks send (ignored_auth) go to it as well.
    case.operation.schema.app = app
    token = token_for(app_settings, case.method.upper(), case.path)
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
