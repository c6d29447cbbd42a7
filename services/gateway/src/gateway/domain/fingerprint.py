"""The request fingerprint an idempotency key is bound to: method, path and canonical JSON body."""

from __future__ import annotations

import hashlib
import json


def canonical_body(body: bytes) -> bytes:
    """The same JSON document always gives the same bytes (key order and whitespace do not count).

    A body that is empty gives `b""`; one that is not JSON is taken as it is.
    """
    if not body.strip():
        return b""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return body
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(method.upper().encode())
    digest.update(b"\n")
    digest.update(path.encode())
    digest.update(b"\n")
    digest.update(canonical_body(body))
    return digest.hexdigest()
