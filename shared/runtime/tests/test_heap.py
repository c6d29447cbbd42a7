"""A started service's heap is frozen out of the collector's full passes; a test's runtime is not."""

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared_runtime import service
from shared_runtime.heap import freeze_heap
from shared_runtime.settings import ServiceSettings


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test run keeps the collector as it was


def test_objects_alive_at_freezing_are_left_out_of_every_collection() -> None:
    alive = Node()
    assert gc.is_tracked(alive)
    frozen = freeze_heap()
    assert frozen == gc.get_freeze_count() > 0
    assert not any(candidate is alive for candidate in gc.get_objects())  # no generation holds it
    later = Node()
    assert any(candidate is later for candidate in gc.get_objects())


def test_garbage_cycles_are_collected_before_freezing() -> None:
    first, second = Node(), Node()
    first.other, second.other = second, first
    gone = weakref.ref(first)
    del first, second
    freeze_heap()
    assert gone() is None


async def run_lifespan(runtime: service.ServiceRuntime, monkeypatch: pytest.MonkeyPatch) -> int:
    """The freeze count once the runtime's app has started (start and stop do nothing here)."""

    async def nothing() -> None:
        return None

    monkeypatch.setattr(runtime, "start", nothing)
    monkeypatch.setattr(runtime, "stop", nothing)
    app = runtime.app()
    async with app.router.lifespan_context(app):
        return gc.get_freeze_count()


@pytest.mark.parametrize("owns_process", [True, False])
async def test_the_runtime_freezes_once_started_only_in_its_own_process(
    monkeypatch: pytest.MonkeyPatch, owns_process: bool
) -> None:
    definition = service.ServiceDefinition(name="svc", migrations=Path("."))
    settings = ServiceSettings(service_name="svc", otel_traces_exporter="memory")  # type: ignore[call-arg]
    runtime = service.ServiceRuntime(definition, settings, owns_process=owns_process)
    frozen = await run_lifespan(runtime, monkeypatch)
    assert (frozen > 0) is owns_process


def test_run_owns_its_process(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[service.ServiceRuntime] = []
    monkeypatch.setattr(service, "observability", lambda settings: None)
    monkeypatch.setattr(service.ServiceRuntime, "app", lambda self: started.append(self))
    monkeypatch.setattr("uvicorn.run", lambda app, **options: None)
    definition = service.ServiceDefinition(name="svc", migrations=Path("."))
    service.run(definition, ServiceSettings(service_name="svc"))  # type: ignore[call-arg]
    assert [runtime.owns_process for runtime in started] == [True]
