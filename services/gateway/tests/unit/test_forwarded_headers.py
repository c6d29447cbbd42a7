"""Identity headers come from the verified credential only."""

from datetime import UTC, datetime

from gateway.domain.clients import ApiClient, Role
from gateway.domain.forwarded_headers import forwarded_headers
from gateway.domain.hashing import HashedSecret


def client(sp_id: str | None, roles: frozenset[Role]) -> ApiClient:
    return ApiClient("cid", "n", sp_id, "sandbox", roles, HashedSecret("k", "d"), datetime.now(UTC))


def test_a_distributor_call_carries_client_sp_environment_roles_and_trace() -> None:
    headers = forwarded_headers(
        client("sp-1", frozenset({Role.DISTRIBUTOR})),
        trace_id="t-1",
        transaction_id="tx-1",
        source="erp",
        has_body=True,
    )
    assert headers == {
        "accept": "application/json",
        "content-type": "application/json",
        "x-trace-id": "t-1",
        "x-client-id": "cid",
        "x-sp-id": "sp-1",
        "x-environment": "sandbox",
        "x-roles": "distributor",
        "x-transaction-id": "tx-1",
        "source": "erp",
    }


def test_an_oms_call_has_no_sp_and_optional_headers_are_left_out() -> None:
    headers = forwarded_headers(
        client(None, frozenset({Role.MERCHANDISING, Role.DISTRIBUTOR})),
        trace_id="t",
        transaction_id=None,
        source=None,
        has_body=False,
    )
    assert "x-sp-id" not in headers
    assert "x-transaction-id" not in headers
    assert "source" not in headers
    assert "content-type" not in headers
    assert headers["x-roles"] == "distributor,merchandising"
