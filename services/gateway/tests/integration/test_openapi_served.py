"""The gateway serves its OpenAPI document and interactive docs without credentials."""

from gateway.entrypoints.http.openapi import openapi_document


async def test_openapi_json_and_docs_are_served(gateway) -> None:
    document = await gateway.http.get("/openapi.json")
    assert document.status_code == 200
    assert document.json() == openapi_document()
    docs = await gateway.http.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


async def test_health_and_metrics(gateway) -> None:
    ready = await gateway.http.get("/health/ready")
    assert ready.json()["checks"] == {"database": "ok", "kafka": "ok"}
    metrics = (await gateway.http.get("/metrics")).text
    assert "gateway_auth_failures_total" in metrics
