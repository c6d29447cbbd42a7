"""The HTTP conventions of API.md: error body, mandatory x-trace-id, content type, size, health."""

import socket
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from pydantic import BaseModel, ConfigDict

from shared_http import ApiError, create_app

TRACE = {"x-trace-id": "trace-abc"}


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")
    location: int
    locationType: str


class Lookup(BaseModel):
    model_config = ConfigDict(extra="forbid")
    inventoryLocations: list[Location]


def build_app(ready: bool = True):
    async def database() -> None:
        if not ready:
            raise ConnectionError("database down")

    app = create_app("demo", readiness={"database": database}, max_body_bytes=200)

    @app.post("/lookup")
    async def lookup(body: Lookup) -> dict[str, int]:
        return {"locations": len(body.inventoryLocations)}

    @app.get("/business")
    async def business() -> None:
        raise ApiError(409, "STEP_INCOMPLETE", "Previous Step (Billing) is not complete.")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_success_echoes_the_trace_id(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/lookup", json={"inventoryLocations": [{"location": 1, "locationType": "S"}]}, headers=TRACE
    )
    assert response.status_code == 200
    assert response.json() == {"locations": 1}
    assert response.headers["x-trace-id"] == "trace-abc"


async def test_missing_trace_id_is_400_missing_trace_id(client: httpx.AsyncClient) -> None:
    response = await client.post("/lookup", json={"inventoryLocations": []})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "MISSING_TRACE_ID"
    assert body["category"] == "VALIDATION"
    assert body["status"] == "ERROR"


async def test_a_body_that_is_not_json_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post("/lookup", content=b"a=b", headers={**TRACE, "content-type": "text/plain"})
    assert response.status_code == 415
    assert response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert response.json()["traceId"] == "trace-abc"


async def test_an_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    big = {"inventoryLocations": [{"location": i, "locationType": "S"} for i in range(50)]}
    response = await client.post("/lookup", json=big, headers=TRACE)
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


async def test_validation_errors_name_field_paths_and_input_values(client: httpx.AsyncClient) -> None:
    body = {"inventoryLocations": [{"location": "x", "locationType": "S", "zipcode": "1"}]}
    response = await client.post("/lookup", json=body, headers=TRACE)
    assert response.status_code == 400
    errors = {e["field"]: e for e in response.json()["validationErrors"]}
    assert errors["inventoryLocations[0].location"]["inputValue"] == "x"
    assert errors["inventoryLocations[0].zipcode"]["error"] == "unknown field"
    assert response.json()["category"] == "VALIDATION"


async def test_api_error_answers_the_standard_body(client: httpx.AsyncClient) -> None:
    response = await client.get("/business", headers=TRACE)
    assert response.status_code == 409
    assert response.json() == {
        "status": "ERROR",
        "code": "STEP_INCOMPLETE",
        "category": "BUSINESS",
        "message": "Previous Step (Billing) is not complete.",
        "traceId": "trace-abc",
    }


async def test_an_error_answer_echoes_the_trace_id_once(client: httpx.AsyncClient) -> None:
    response = await client.get("/business", headers=TRACE)
    assert response.headers.get_list("x-trace-id") == ["trace-abc"]


async def test_unknown_path_is_404_with_the_standard_body(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere", headers=TRACE)
    assert response.status_code == 404
    assert response.json()["category"] == "NOT_FOUND"


async def test_an_unexpected_error_is_500_without_internals(client: httpx.AsyncClient) -> None:
    response = await client.get("/boom", headers=TRACE)
    assert response.status_code == 500
    assert response.json()["category"] == "INTERNAL"
    assert "secret internals" not in response.text


async def test_health_needs_no_trace_id_and_reports_checks(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health/live")).json() == {"status": "UP"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok"}


async def test_not_ready_when_a_check_fails() -> None:
    transport = httpx.ASGITransport(app=build_app(ready=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        ready = await http.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"].startswith("failed: ConnectionError")


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.get("/business", headers=TRACE)
    metrics = (await client.get("/metrics")).text
    assert 'http_requests_total{method="GET",route="/business",service="demo",status="409"}' in metrics


@pytest.mark.parametrize(
    "failure",
    [
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.InterfaceError("pool is closing"),
        TimeoutError(),
    ],
    ids=lambda failure: type(failure).__name__,
)
async def test_a_database_that_cannot_serve_is_503_unavailable(failure: Exception) -> None:
    app = build_app()

    @app.get("/query")
    async def query() -> None:
        raise failure

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.get("/query", headers=TRACE)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    body = response.json()
    assert (body["code"], body["category"], body["traceId"]) == (
        "UNAVAILABLE",
        "UNAVAILABLE",
        "trace-abc",
    )


async def test_a_refused_database_connection_is_503_not_500() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pool = await asyncpg.create_pool(f"postgresql://nobody@127.0.0.1:{port}/none", min_size=0)
    app = build_app()

    @app.get("/query")
    async def query() -> None:
        async with pool.acquire() as conn:
            await conn.fetchval("SELECT 1")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.get("/query", headers=TRACE)
    await pool.close()
    assert response.status_code == 503
    assert response.json()["category"] == "UNAVAILABLE"
