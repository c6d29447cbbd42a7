"""Secrets never appear in logs, error bodies or forwarded requests."""

import logging

import pytest

SUMMARY = "/api/v1/order-summary"


async def test_no_secret_in_logs_or_bodies(gateway, enrichment, caplog: pytest.LogCaptureFixture) -> None:
    credential = await gateway.credential()
    rotated = await gateway.admin.rotate(credential.client_id)
    secrets = [credential.secret, rotated.secret]
    enrichment.answer_plain(SUMMARY, 500, "boom")
    bodies = []
    with caplog.at_level(logging.DEBUG):
        for secret in [*secrets, "wrong-secret-value"]:
            headers = credential.headers(client_secret=secret)
            bodies.append((await gateway.http.post(SUMMARY, json={"orderId": "O-1"}, headers=headers)).text)
            headers = credential.headers(client_secret=secret)
            bodies.append((await gateway.http.post(SUMMARY, json={"unknown": 1}, headers=headers)).text)
    assert caplog.records, "expected some log records (authentication failures, upstream failures)"
    logged = caplog.text + " ".join(str(record.__dict__) for record in caplog.records)
    for secret in secrets:
        assert secret not in logged
        assert all(secret not in call.headers.values() for call in enrichment.calls)
    assert "wrong-secret-value" not in logged
    assert all(secret not in body for body in bodies for secret in [*secrets, "wrong-secret-value"])
    assert sorted({body[:30] for body in bodies}) != []
