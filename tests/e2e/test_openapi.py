"""The OpenAPI document tells the truth (issue 10): one body schema per operation, every reference
defined, the error responses really sent, media types, the bearer scheme; docs served offline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Api
from tracklog.entrypoints.api.app import create_app
from tracklog.entrypoints.api.hot_paths import HOT_PATHS
from tracklog.settings import Settings
from tracklog.testing.instances import TEST_SECRET, ready_instance

METHODS = {"get", "put", "post", "delete", "patch"}
PUBLIC = {"/healthz", "/readyz", "/metrics"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings.model_validate(
        {"database_url": f"sqlite:///{tmp_path / 'doc.db'}", "auth_jwt_secret": TEST_SECRET}
    )
    instance = ready_instance(settings)
    with TestClient(create_app(instance, manage_lifecycle=False)) as test_client:
        yield test_client
    instance.close()


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    doc: dict[str, Any] = client.get("/openapi.json").json()
    return doc


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield method, path, op


def test_every_request_body_is_the_request_wrapper_with_an_example(
    document: dict[str, Any],
) -> None:
    bodies = [(m, p, op["requestBody"]) for m, p, op in operations(document) if "requestBody" in op]
    # 12 of the viewer API and the registry; 9 legacy (update: 5 path/method pairs; read: 2;
    # the enrolment list by POST: 2)
    assert len(bodies) == 21
    for method, path, body in bodies:
        media = body["content"]["application/json"]
        schema = media["schema"]
        assert "oneOf" not in schema, (method, path)
        assert schema["required"] == ["request"], (method, path)
        assert "bare object" in body["description"]
        inner = schema["properties"]["request"]
        if "$ref" in inner:
            assert inner["$ref"].rsplit("/", 1)[1] in document["components"]["schemas"]
            assert schema["examples"], (method, path)
            assert all(set(example) == {"request"} for example in schema["examples"])
        else:  # a legacy body, documented by hand, with lms-service's clients' bodies as examples
            assert media["examples"], (method, path)
            assert all(set(e["value"]) == {"request"} for e in media["examples"].values())


def test_every_reference_in_the_document_is_defined(document: dict[str, Any]) -> None:
    text = str(document)
    references = set(re.findall(r"'\$ref': '#/components/schemas/([^']+)'", text))
    assert references
    assert references <= set(document["components"]["schemas"]), references - set(
        document["components"]["schemas"]
    )


def test_no_operation_documents_the_422_that_is_never_sent(document: dict[str, Any]) -> None:
    for method, path, op in operations(document):
        assert "422" not in op["responses"], (method, path)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_every_error_response_is_the_one_envelope(document: dict[str, Any]) -> None:
    for method, path, op in operations(document):
        legacy = "legacy Sunbird API" in op.get("tags", [])  # lms-service's envelope, kept
        envelope = "LegacyEnvelope" if legacy else "Envelope"
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")) or (legacy and status == "200"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": f"#/components/schemas/{envelope}"}, (method, path)
    assert {"400", "401", "403", "409", "413", "503"} <= set(
        document["paths"]["/v1/view/start"]["post"]["responses"]
    )
    assert "404" in document["paths"]["/v1/ops/jobs/{jobId}"]["get"]["responses"]
    assert "409" in document["paths"]["/v1/ops/jobs/{jobId}/abort"]["post"]["responses"]


def test_every_route_that_needs_a_token_declares_the_bearer_scheme_and_answers_401(
    client: TestClient, document: dict[str, Any]
) -> None:
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    for method, path, op in operations(document):
        secured = op.get("security") == [{"bearerAuth": []}]
        assert secured == (path not in PUBLIC), (method, path)
        assert ("401" in op["responses"]) == secured, (method, path)
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        query = {"contentId": "a"}  # the one required query parameter (explain)
        answer = client.request(method.upper(), concrete, params=query, json={"request": {}})
        assert (answer.status_code == 401) == secured, (method, path, answer.status_code)


def test_metrics_and_downloads_document_their_media_types(document: dict[str, Any]) -> None:
    metrics = document["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert set(metrics) == {"text/plain"}
    download = document["paths"]["/v1/summary/download/{userId}"]["get"]["responses"]["200"]
    assert set(download["content"]) == {"text/csv", "application/json"}
    assert download["content"]["application/json"]["schema"]["type"] == "array"


def test_integers_are_typed_as_integers_and_bounds_are_documented(
    document: dict[str, Any],
) -> None:
    [job_id] = document["paths"]["/v1/ops/jobs/{jobId}"]["get"]["parameters"]
    assert job_id["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 2**63 - 1,
        "title": "jobId",
    }
    schemas = document["components"]["schemas"]
    event_ts = schemas["ViewRequest"]["properties"]["eventTs"]["anyOf"][0]
    assert (event_ts["type"], event_ts["maximum"]) == ("integer", 253_402_300_799_999)
    assert schemas["ViewUpdateRequest"]["properties"]["progress"]["type"] == "integer"
    score = schemas["QuestionIn"]["properties"]["score"]
    assert (score["type"], score["minimum"], score["maximum"]) == ("number", 0, 1_000_000_000)
    [user_id] = document["paths"]["/v1/summary/list/{userId}"]["get"]["parameters"]
    assert (user_id["schema"]["minLength"], user_id["schema"]["maxLength"]) == (1, 256)


def test_a_405_names_every_method_of_the_path_in_allow(client: TestClient) -> None:
    response = client.delete("/v1/collection/course-1")
    assert response.status_code == 405
    assert response.json()["params"]["err"] == "METHOD_NOT_ALLOWED"
    assert response.headers["allow"] == "GET, PUT"  # both routes of the path, not only one


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_only_assets_the_app_serves_itself(
    client: TestClient, page: str
) -> None:
    html = client.get(page)
    assert html.status_code == 200
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html.text)
    assert assets
    for asset in assets:
        assert asset.startswith("/docs/assets/"), asset  # nothing from a CDN
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 1000
    assert "/openapi.json" in html.text


def test_every_hot_path_is_served_ahead_of_fastapi_and_still_documented(api: Api) -> None:
    """A POST to a hot path never reaches FastAPI's routing (it is answered with the hot routes
    taken out of the router), keeps the app's headers, errors and metrics, and stays documented;
    other methods on the same path are FastAPI's (405 naming POST)."""
    router = api.client.app.router  # type: ignore[attr-defined]
    documented = api.client.get("/openapi.json").json()["paths"]
    assert set(documented) >= HOT_PATHS
    routes = list(router.routes)
    router.routes[:] = [r for r in routes if getattr(r, "path", None) not in HOT_PATHS]
    try:
        served = api.client.post(
            "/v1/view/update",
            json={"request": {"contentId": "a", "collectionId": "c1", "progress": 5}},
            headers={**api.headers(), "X-Request-ID": "hot-1"},
        )
        refused = api.post("/v1/view/read", {"userId": "someone-else"})
    finally:
        router.routes[:] = routes
    assert served.status_code == 200, served.text
    assert served.headers["X-Request-ID"] == served.json()["params"]["msgid"] == "hot-1"
    assert served.headers["X-Tracklog-Environment"] == "development"
    assert served.json()["id"] == "api.view.update"
    assert refused.status_code == 403
    assert refused.json()["params"]["err"] == "USER_MISMATCH"
    assert refused.json()["id"] == "api.view.read"
    metrics = api.client.get("/metrics").text
    assert 'route="/v1/view/update"' in metrics
    assert 'route="/v1/view/read"' in metrics
    for path in sorted(HOT_PATHS):
        wrong = api.client.get(path, headers=api.headers())
        assert wrong.status_code == 405, path
        allowed = set(wrong.headers["Allow"].split(", "))
        assert allowed == {method.upper() for method in documented[path]}, path
