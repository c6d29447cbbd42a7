"""uvloop's RuntimeError on a closed transport is a broken connection to aiokafka (aiokafka#1038)."""

from __future__ import annotations

import pytest
from aiokafka.conn import AIOKafkaConnection, CloseReason
from aiokafka.errors import KafkaConnectionError

import shared_messaging  # noqa: F401  (installs the fix)


class ClosedUvloopWriter:
    def write(self, data: bytes) -> None:
        raise RuntimeError(
            "unable to perform operation on <TCPTransport closed=True reading=False 0x1>; "
            "the handler is closed"
        )


class OtherFailureWriter:
    def write(self, data: bytes) -> None:
        raise RuntimeError("something else")


class Request:
    """Just enough of an aiokafka request to be written."""

    def prepare(self, versions: object) -> Request:
        return self

    def build_request_header(self, correlation_id: int, client_id: str) -> Request:
        return self

    def encode(self) -> bytes:
        return b"request"


def connection(writer: object) -> tuple[AIOKafkaConnection, list[object]]:
    conn = AIOKafkaConnection("127.0.0.1", 9)
    conn._writer = writer  # type: ignore[assignment]
    closed: list[object] = []
    conn.close = lambda reason=None, exc=None: closed.append(reason)  # type: ignore[method-assign]
    return conn, closed


async def test_a_write_to_a_transport_uvloop_closed_is_a_kafka_connection_error() -> None:
    conn, closed = connection(ClosedUvloopWriter())
    with pytest.raises(KafkaConnectionError, match="broken"):
        conn.send(Request())
    assert closed == [CloseReason.CONNECTION_BROKEN]


async def test_other_runtime_errors_are_not_hidden() -> None:
    conn, closed = connection(OtherFailureWriter())
    with pytest.raises(RuntimeError, match="something else"):
        conn.send(Request())
    assert closed == []
