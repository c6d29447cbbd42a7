"""The fingerprint binding an x-transaction-id to one request."""

from gateway.domain.fingerprint import canonical_body, request_fingerprint


def test_key_order_and_whitespace_do_not_change_the_fingerprint() -> None:
    one = request_fingerprint("POST", "/api/v1/order", b'{"a": 1, "b": [1, 2], "c": {"y": 1, "x": 2}}')
    two = request_fingerprint("post", "/api/v1/order", b'{"c":{"x":2,"y":1},"b":[1,2],"a":1}')
    assert one == two


def test_any_change_of_value_method_or_path_changes_it() -> None:
    base = request_fingerprint("POST", "/api/v1/order", b'{"a": 1}')
    assert base != request_fingerprint("POST", "/api/v1/order", b'{"a": 2}')
    assert base != request_fingerprint("PUT", "/api/v1/order", b'{"a": 1}')
    assert base != request_fingerprint("POST", "/api/v1/order-summary", b'{"a": 1}')
    assert request_fingerprint("POST", "/p", b'{"a": [1, 2]}') != request_fingerprint(
        "POST", "/p", b'{"a": [2, 1]}'
    )


def test_empty_and_non_json_bodies_are_taken_as_they_are() -> None:
    assert canonical_body(b"") == b""
    assert canonical_body(b"  ") == b""
    assert canonical_body(b"not json") == b"not json"
    assert canonical_body('{"name": "Zoë"}'.encode()) == '{"name":"Zoë"}'.encode()
