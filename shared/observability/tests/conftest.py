from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared_observability.testing import enable_test_tracing, reset_spans


@pytest.fixture(autouse=True)
def _tracing() -> Iterator[None]:
    enable_test_tracing("observability-tests")
    reset_spans()
    yield
    reset_spans()
