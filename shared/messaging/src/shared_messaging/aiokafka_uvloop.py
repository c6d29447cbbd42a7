"""aiokafka on uvloop: a write to a connection the broker has closed raises `RuntimeError`
("unable to perform operation on <TCPTransport closed=True ...>; the handler is closed"), not the
`OSError` aiokafka expects (aio-libs/aiokafka#1038, open in aiokafka 0.14). Raised inside the
consumer's group coordinator routine, it ends that routine for good: the consumer never fetches
or commits again while its process looks healthy. The fault suite hit it after a broker restart
(enrichment stopped consuming; every later order stayed SUBMITTED).

Until aiokafka handles it, `install()` makes a connection's `send` treat that error like its own
`OSError` path: close the connection and raise `KafkaConnectionError`, which every caller retries.
"""

from __future__ import annotations

from typing import Any

from aiokafka import conn as _conn
from aiokafka.errors import KafkaConnectionError

_original_send = _conn.AIOKafkaConnection.send


def _send(self: _conn.AIOKafkaConnection, request: Any, expect_response: bool = True) -> Any:
    try:
        return _original_send(self, request, expect_response)
    except RuntimeError as error:
        if "closed" not in str(error):
            raise
        self.close(reason=_conn.CloseReason.CONNECTION_BROKEN)
        raise KafkaConnectionError(f"Connection at {self.host}:{self.port} broken: {error}") from error


def install() -> None:
    """Idempotent; done when `shared_messaging` is imported."""
    _conn.AIOKafkaConnection.send = _send
